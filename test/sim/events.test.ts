/**
 * The event stream (marathon-api §7): Jetty framing, heartbeat, exact Accept handling, the
 * event_type filter, and the order of events for scale-up, scale-down, upgrade, delete and a
 * health flap, as a client on the stream sees them.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DEFAULT_HEARTBEAT_MS} from '../../src/sim/event-streams.js'
import type {Simulator} from '../../src/sim/simulator.js'
import {call, hostApp, openStream, simulator, until, type RawStream} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
let sim: Simulator

beforeAll(async () => {
  sim = await simulator({virtualTasks: true, stagingMs: 10, startingMs: 10, heartbeatMs: 150, timeScale: 0.1}, (fn) => cleanups.push(fn))
})
afterAll(async () => {
  for (const fn of cleanups) await fn()
})

/** Events of a stream as `type` or `type:TASK_STATE`, without instance_changed noise. */
function summary(s: RawStream, from = 0): string[] {
  return s
    .events()
    .slice(from)
    .filter((e) => !['instance_changed_event', 'event_stream_attached', 'event_stream_detached', 'instance_health_changed_event'].includes(e.eventType))
    .map((e) => (e.eventType === 'status_update_event' ? `status:${String(e['taskStatus'])}` : e.eventType))
}

async function settle(s: RawStream, count: number): Promise<void> {
  await until(() => s.events().filter((e) => e.eventType === 'deployment_success').length >= count, 10_000, `${count} deployment_success events`)
}

describe('framing and negotiation', () => {
  it('answers 200 text/event-stream with Connection: close, no chunking, CRLF frames (§7.2)', async () => {
    const s = await openStream(sim.url, '?plan-format=light')
    try {
      expect(s.status).toBe(200)
      expect(s.headers['content-type']).toBe('text/event-stream;charset=utf-8')
      expect(s.headers['connection']).toBe('close')
      expect(s.headers['transfer-encoding']).toBeUndefined()
      expect(s.headers['x-marathon-leader']).toBe(`http://${sim.address}`)
      await until(() => s.raw().includes('\r\n\r\n'), 2000, 'first frame')
      expect(s.raw()).toMatch(/^event: event_stream_attached\r\ndata: \{"remoteAddress":"127\.0\.0\.1","eventType":"event_stream_attached","timestamp":"[^"]+"\}\r\n\r\n/)
    } finally {
      s.close()
    }
  })

  it('sends a bare CRLF heartbeat every heartbeat period; Marathon\'s default is 10 s', async () => {
    expect(DEFAULT_HEARTBEAT_MS).toBe(10_000)
    const s = await openStream(sim.url, '?event_type=app_terminated_event')
    const t0 = Date.now()
    try {
      await until(() => s.raw() === '\r\n', 2000, 'first heartbeat')
      const first = Date.now() - t0
      await until(() => s.raw() === '\r\n\r\n\r\n', 2000, 'third heartbeat')
      const third = Date.now() - t0
      expect(first).toBeGreaterThanOrEqual(120)
      expect(third).toBeGreaterThanOrEqual(400)
      expect(third).toBeLessThan(1500)
    } finally {
      s.close()
    }
  })

  it.each([
    {desc: 'a list with */*', accept: 'text/event-stream, */*', status: 405},
    {desc: 'JSON', accept: 'application/json', status: 405},
    {desc: 'a parameter', accept: 'text/event-stream;q=1', status: 405},
    {desc: 'two Accept headers, one exact', accept: ['application/json', 'text/event-stream'], status: 200},
  ])('Accept $desc → $status (Jetty compares each value with equals, §7.1)', async ({accept, status}) => {
    const s = await openStream(sim.url, '', accept)
    s.close()
    expect(s.status).toBe(status)
    if (status === 405) expect(String(s.headers['content-type'])).toMatch(/^text\/html/)
  })

  it('sends only the requested event types (event_type filter, marathon-lb\'s query)', async () => {
    const q = '?plan-format=light&event_type=api_post_event&event_type=health_status_changed_event&event_type=status_update_event'
    const s = await openStream(sim.url, q)
    try {
      await call(sim.url, 'POST', '/v2/apps', hostApp('filtered'))
      await sim.waitForDeployments()
      await until(() => s.events().some((e) => e['taskStatus'] === 'TASK_RUNNING'), 2000, 'running event')
      expect(new Set(s.events().map((e) => e.eventType))).toEqual(new Set(['api_post_event', 'status_update_event']))
      await call(sim.url, 'DELETE', '/v2/apps/filtered')
      await sim.waitForDeployments()
    } finally {
      s.close()
    }
  })
})

describe('event order (§7.4 table, as the simulator emits it)', () => {
  let s: RawStream
  beforeAll(async () => {
    s = await openStream(sim.url)
  })
  afterAll(() => s.close())

  it('create (1 instance)', async () => {
    const from = s.events().length
    await call(sim.url, 'POST', '/v2/apps', hostApp('order', {instances: 1}))
    await settle(s, 1)
    expect(summary(s, from)).toEqual([
      'api_post_event', 'group_change_success', 'deployment_info', 'deployment_step_success', 'deployment_info',
      'status:TASK_STAGING', 'status:TASK_STARTING', 'status:TASK_RUNNING', 'deployment_step_success', 'deployment_success',
    ])
    const info = s.events().slice(from).filter((e) => e.eventType === 'deployment_info')
    expect(info.map((e) => e['currentStep'])).toEqual([{actions: [{action: 'StartApplication', app: '/order'}]}, {actions: [{action: 'ScaleApplication', app: '/order'}]}])
    expect(info[0]?.['plan']).toMatchObject({steps: [{actions: [{action: 'StartApplication', app: '/order'}]}, {actions: [{action: 'ScaleApplication', app: '/order'}]}]})
    const running = s.events().slice(from).find((e) => e['taskStatus'] === 'TASK_RUNNING')
    expect(Object.keys(running ?? {})).toEqual(['slaveId', 'taskId', 'taskStatus', 'message', 'appId', 'host', 'ipAddresses', 'ports', 'version', 'eventType', 'timestamp'])
  })

  it('scale up', async () => {
    const from = s.events().length
    await call(sim.url, 'PUT', '/v2/apps/order', {instances: 2})
    await settle(s, 2)
    expect(summary(s, from)).toEqual(['api_post_event', 'group_change_success', 'deployment_info', 'status:TASK_STAGING', 'status:TASK_STARTING', 'status:TASK_RUNNING', 'deployment_step_success', 'deployment_success'])
  })

  it('scale down kills the youngest task', async () => {
    const youngest = sim.tasks('/order').sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0]
    const from = s.events().length
    await call(sim.url, 'PUT', '/v2/apps/order', {instances: 1})
    await settle(s, 3)
    expect(summary(s, from)).toEqual(['api_post_event', 'group_change_success', 'deployment_info', 'status:TASK_KILLING', 'status:TASK_KILLED', 'deployment_step_success', 'deployment_success'])
    expect(s.events().slice(from).filter((e) => e['taskStatus'] === 'TASK_KILLED').map((e) => e['taskId'])).toEqual([youngest?.id])
  })

  it('upgrade starts the new version before killing the old one (upgradeStrategy 1/1)', async () => {
    const old = sim.tasks('/order')[0]
    const from = s.events().length
    const r = await call(sim.url, 'PUT', '/v2/apps/order', {labels: {COLOUR: 'green'}})
    await settle(s, 4)
    expect(summary(s, from)).toEqual([
      'api_post_event', 'group_change_success', 'deployment_info', 'status:TASK_STAGING', 'status:TASK_STARTING', 'status:TASK_RUNNING',
      'status:TASK_KILLING', 'status:TASK_KILLED', 'deployment_step_success', 'deployment_success',
    ])
    const events = s.events().slice(from)
    expect(events.find((e) => e.eventType === 'deployment_info')?.['currentStep']).toEqual({actions: [{action: 'RestartApplication', app: '/order'}]})
    expect(events.find((e) => e['taskStatus'] === 'TASK_RUNNING')?.['version']).toBe(r.body.version)
    expect(events.find((e) => e['taskStatus'] === 'TASK_KILLED')?.['taskId']).toBe(old?.id)
  })

  it('health flap: alive false then true, without a kill when maxConsecutiveFailures is 0', async () => {
    const check = {protocol: 'TCP', gracePeriodSeconds: 0, intervalSeconds: 1, maxConsecutiveFailures: 0}
    await call(sim.url, 'POST', '/v2/apps', hostApp('flap', {instances: 1, healthChecks: [check]}))
    await settle(s, 5)
    const task = sim.tasks('/flap')[0]!
    const from = s.events().length
    sim.controlTask(task.id, 'down')
    await until(() => s.events().slice(from).some((e) => e.eventType === 'health_status_changed_event'), 5000, 'unhealthy')
    sim.controlTask(task.id, 'up')
    await until(() => s.events().slice(from).filter((e) => e.eventType === 'health_status_changed_event').length === 2, 5000, 'healthy again')
    const flips = s.events().slice(from).filter((e) => ['health_status_changed_event', 'instance_health_changed_event'].includes(e.eventType))
    expect(flips.map((e) => [e.eventType, e['alive'] ?? e['healthy']])).toEqual([
      ['health_status_changed_event', false], ['instance_health_changed_event', false], ['health_status_changed_event', true], ['instance_health_changed_event', true],
    ])
    expect(flips[0]).toMatchObject({appId: '/flap', instanceId: task.instanceId, version: task.version})
    expect(s.events().slice(from).some((e) => e.eventType === 'failed_health_check_event')).toBe(true)
    expect(sim.tasks('/flap').map((t) => t.id)).toEqual([task.id])
  })

  it('delete: no api_post_event, kills, app_terminated_event, then success (§2.5)', async () => {
    const from = s.events().length
    await call(sim.url, 'DELETE', '/v2/apps/order')
    await settle(s, 6)
    expect(summary(s, from)).toEqual(['group_change_success', 'deployment_info', 'status:TASK_KILLING', 'status:TASK_KILLED', 'app_terminated_event', 'deployment_step_success', 'deployment_success'])
    expect(s.events().slice(from).find((e) => e.eventType === 'deployment_info')?.['currentStep']).toEqual({actions: [{action: 'StopApplication', app: '/order'}]})
  })

  it('a rejected change emits group_change_failed and deployment_failed (§6 acceptance)', async () => {
    const never = {readinessChecks: [{portName: 'http', httpStatusCodesForReady: [299]}], portDefinitions: [{port: 0, name: 'http'}]}
    const created = await call(sim.url, 'POST', '/v2/apps', hostApp('locked', {instances: 1, ...never}))
    const depId = created.headers.get('marathon-deployment-id')
    await until(() => s.events().filter((e) => e.eventType === 'deployment_info' && (e['plan'] as {id: string}).id === depId).length === 2, 5000, 'deployment running')
    const from = s.events().length
    const locked = await call(sim.url, 'PUT', '/v2/apps/locked', {instances: 3})
    expect(locked.status).toBe(409)
    await until(() => summary(s, from).includes('deployment_failed'), 2000, 'deployment_failed')
    expect(summary(s, from).filter((t) => !t.startsWith('status:'))).toEqual(['group_change_failed', 'deployment_failed'])
    expect(s.events().slice(from).find((e) => e.eventType === 'deployment_failed')?.['reason']).toBe(locked.body.message)
    expect((await call(sim.url, 'DELETE', '/v2/apps/locked')).status).toBe(200)
    await sim.waitForDeployments()
  })
})

describe('upgrade strategies (§6 RestartApplication)', () => {
  it('minimumHealthCapacity 0, maximumOverCapacity 0: old tasks are killed before new ones start', async () => {
    const s = await openStream(sim.url, '?event_type=status_update_event&event_type=deployment_success')
    try {
      await call(sim.url, 'POST', '/v2/apps', hostApp('stop-first', {instances: 2, upgradeStrategy: {minimumHealthCapacity: 0, maximumOverCapacity: 0}}))
      await until(() => s.events().some((e) => e.eventType === 'deployment_success'), 5000, 'created')
      const from = s.events().length
      await call(sim.url, 'PUT', '/v2/apps/stop-first', {labels: {V: '2'}})
      await until(() => s.events().slice(from).some((e) => e.eventType === 'deployment_success'), 5000, 'upgraded')
      const states = s.events().slice(from).filter((e) => e.eventType === 'status_update_event').map((e) => String(e['taskStatus']))
      expect(states.lastIndexOf('TASK_KILLED')).toBeLessThan(states.indexOf('TASK_STAGING'))
      expect(states.filter((x) => x === 'TASK_RUNNING')).toHaveLength(2)
    } finally {
      s.close()
    }
  })

  it('minimumHealthCapacity 1, maximumOverCapacity 0: one extra task at a time, never below the instance count', async () => {
    const s = await openStream(sim.url, '?event_type=status_update_event&event_type=deployment_success')
    try {
      await call(sim.url, 'POST', '/v2/apps', hostApp('one-by-one', {instances: 2, upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 0}}))
      await until(() => s.events().some((e) => e.eventType === 'deployment_success'), 5000, 'created')
      const from = s.events().length
      await call(sim.url, 'PUT', '/v2/apps/one-by-one', {labels: {V: '2'}})
      await until(() => s.events().slice(from).some((e) => e.eventType === 'deployment_success'), 5000, 'upgraded')
      let running = 2
      let peak = 2
      let low = 2
      for (const e of s.events().slice(from)) {
        if (e['taskStatus'] === 'TASK_RUNNING') running++
        if (e['taskStatus'] === 'TASK_KILLING') running--
        peak = Math.max(peak, running)
        low = Math.min(low, running)
      }
      expect([low, peak, running]).toEqual([2, 3, 2])
    } finally {
      s.close()
    }
  })
})
