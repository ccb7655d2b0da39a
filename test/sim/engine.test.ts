/**
 * The state machine on a fake clock with virtual tasks (style rule 3): exact timings of the
 * task lifecycle, health-check grace period, interval and max consecutive failures, kill grace
 * period and launch backoff (marathon-api §3, §6).
 */
import {describe, expect, it} from 'vitest'

import {Engine} from '../../src/sim/engine.js'
import {createApp} from '../../src/sim/operations.js'
import {VirtualRunner} from '../../src/sim/virtual-runner.js'
import {FakeClock} from '../watch-fake-clock.js'

const CTX = {clientIp: '127.0.0.1', uri: '/v2/apps'}

function engine(): {clock: FakeClock; engine: Engine; at: (type: string, pred?: (e: Record<string, unknown>) => boolean) => number[]} {
  const clock = new FakeClock(0)
  const e = new Engine({clock, runner: new VirtualRunner({clock, killTimeoutMs: 3000}), timing: {stagingMs: 1000, startingMs: 2000, timeScale: 1}, taskPorts: {min: 31000, max: 31999}, idStyle: 'instance'})
  // Seconds since the start at which matching events were published.
  const at = (type: string, pred: (ev: Record<string, unknown>) => boolean = () => true): number[] =>
    e.bus.history().filter((ev) => ev.eventType === type && pred(ev)).map((ev) => Date.parse(ev.timestamp) / 1000)
  return {clock, engine: e, at}
}

describe('engine timing', () => {
  it('STAGING → STARTING after stagingMs → RUNNING after startingMs; healthy on the first check; deployment done then', async () => {
    const {clock, engine: e, at} = engine()
    createApp(e, {id: '/web', instances: 1, healthChecks: [{protocol: 'HTTP', intervalSeconds: 10, gracePeriodSeconds: 30}]}, false, CTX)
    await clock.advance(60_000)
    expect(at('status_update_event').map(String)).toEqual(['0', '1', '3'])
    expect(at('health_status_changed_event', (ev) => ev['alive'] === true)).toEqual([3])
    expect(at('deployment_success')).toEqual([3])
    expect(e.store.tasksOf('/web')[0]?.health[0]).toMatchObject({alive: true, consecutiveFailures: 0, firstSuccess: '1970-01-01T00:00:03.000Z', lastSuccess: '1970-01-01T00:00:53.000Z'})
  })

  it('failures are ignored during the grace period, then counted each interval; the task is killed at maxConsecutiveFailures', async () => {
    const {clock, engine: e, at} = engine()
    createApp(e, {id: '/sick', instances: 1, healthChecks: [{protocol: 'TCP', intervalSeconds: 10, gracePeriodSeconds: 25, maxConsecutiveFailures: 3}]}, false, CTX)
    await clock.advance(2000)
    const task = e.store.tasksOf('/sick')[0]!
    e.tasks.control(task, 'down')
    await clock.advance(60_000)
    // Running at 3 s; checks at 3, 13, 23 (in grace: ignored), 33, 43, 53 → killed at 53.
    expect(at('failed_health_check_event')).toEqual([33, 43, 53])
    expect(at('unhealthy_instance_kill_event')).toEqual([53])
    expect(at('status_update_event', (ev) => ev['taskId'] === task.id).slice(-2)).toEqual([53, 53])
    expect(at('status_update_event', (ev) => ev['taskId'] === task.id && ev['taskStatus'] === 'TASK_KILLED')).toEqual([53])
    // The scheduler launched a replacement at once; it is healthy at 53 + 3 = 56.
    expect(e.store.tasksOf('/sick').map((t) => [t.state, t.health[0]?.alive])).toEqual([['TASK_RUNNING', true]])
    expect(at('health_status_changed_event')).toEqual([56])
  })

  it('a kill takes taskKillGracePeriodSeconds; a hung task is SIGKILLed killTimeoutMs later', async () => {
    const {clock, engine: e, at} = engine()
    createApp(e, {id: '/slow', instances: 2, taskKillGracePeriodSeconds: 5}, false, CTX)
    await clock.advance(10_000)
    const [a, b] = e.store.tasksOf('/slow')
    e.tasks.kill(a!)
    e.tasks.control(b!, 'hang')
    e.tasks.kill(b!)
    await clock.advance(20_000)
    expect(at('status_update_event', (ev) => ev['taskId'] === a!.id && ev['taskStatus'] === 'TASK_KILLED')).toEqual([15])
    expect(at('status_update_event', (ev) => ev['taskId'] === b!.id && ev['taskStatus'] === 'TASK_KILLED')).toEqual([18])
  })

  it('a crashed task is relaunched after backoffSeconds, growing by backoffFactor', async () => {
    const {clock, engine: e, at} = engine()
    createApp(e, {id: '/crashy', instances: 1, backoffSeconds: 2, backoffFactor: 2}, false, CTX)
    await clock.advance(5000)
    for (let i = 0; i < 2; i++) {
      e.tasks.control(e.store.tasksOf('/crashy')[0]!, 'crash')
      await clock.advance(10_000)
    }
    // Crashes at 5 and 15; relaunches (STAGING) 2 s and then 4 s later.
    expect(at('status_update_event', (ev) => ev['taskStatus'] === 'TASK_FAILED')).toEqual([5, 15])
    expect(at('status_update_event', (ev) => ev['taskStatus'] === 'TASK_STAGING')).toEqual([0, 7, 19])
    expect(e.store.tasksOf('/crashy')[0]?.incarnation).toBe(3)
  })
})
