/**
 * `mlb serve` under Marathon faults (issue 4 "Proof"): the event stream dropped or stalled, one of
 * two Marathon hosts hanging, Marathon answering 503. After each fault the config converges to
 * Marathon's state within 5 s, and a failing Marathon never empties it.
 *
 * Bounds set for the test, named in the report: stall bound 2 s (default 30 s, 3 heartbeats;
 * the simulator's heartbeat is 0.5 s here) and Marathon read timeout 1.5 s (default 46 s).
 */
import {readFile} from 'node:fs/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'

const SERVICE_PORTS = {min: 21100, max: 21199}
const TASK_PORTS = {min: 22200, max: 22399}
const CONVERGE_MS = 5000

describe('mlb serve daemon: Marathon faults', () => {
  let leader: Simulator
  let standby: Simulator
  let t: TestDaemon

  const scaleTo = async (n: number): Promise<void> => {
    const res = await fetch(`${leader.url}/v2/apps/app?force=true`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify({instances: n})})
    expect(res.status).toBe(200)
    await leader.waitFor(() => leader.tasks('/app').filter((x) => x.state === 'TASK_RUNNING').length === n, 10_000)
  }
  /** Servers of app's backend in the config on disk (the only backend). */
  const servers = async (): Promise<number> => ((await readFile(t.configFile, 'utf8')).match(/^ {2}server 127_0_0_1_/gm) ?? []).length
  /** Scales to `n` and returns how long after the tasks ran the config had `n` servers. */
  const converge = async (n: number): Promise<number> => {
    await scaleTo(n)
    return until(async () => (await servers()) === n, CONVERGE_MS, `config converges to ${n} servers`)
  }

  beforeAll(async () => {
    leader = await startSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS, heartbeatMs: 500, apps: {apps: [{id: '/app', cmd: 'x', instances: 1, portDefinitions: [{port: 0}]}]}})
    await leader.waitFor(() => leader.tasks('/app').some((x) => x.state === 'TASK_RUNNING'), 10_000)
    standby = await leader.startStandby()
    // The standby first: REST calls go through it, the stream follows the leader.
    t = await startTestDaemon({marathon: [standby.url, leader.url], config: {stallTimeoutMs: 2000, marathonReadTimeoutMs: 1500}})
  }, 30_000)

  afterAll(async () => {
    await t?.stop()
    await standby?.stop()
    await leader?.stop()
  }, 30_000)

  it('converges after the event stream is dropped', async () => {
    expect(await servers()).toBe(1)
    leader.dropEventStreams()
    const ms = await converge(2)
    console.log(`dropped stream: converged ${ms} ms after the tasks ran`)
  }, 30_000)

  it('converges after the event stream stalls (no event, no heartbeat)', async () => {
    leader.stallEventStreams()
    try {
      const ms = await converge(3)
      console.log(`stalled stream: converged ${ms} ms after the tasks ran`)
      expect(logLines(t.logger, /^event stream stalled, reconnecting$/).length).toBeGreaterThan(0)
    } finally {
      leader.resumeEventStreams()
    }
  }, 30_000)

  it('converges while one of two Marathon hosts hangs', async () => {
    standby.faults.timeoutNext(Number.POSITIVE_INFINITY)
    try {
      const ms = await converge(2)
      console.log(`hung host: converged ${ms} ms after the tasks ran`)
    } finally {
      standby.faults.reset()
    }
  }, 30_000)

  it('keeps the running configuration while Marathon answers 503', async () => {
    await t.daemon.idle()
    const before = await readFile(t.configFile, 'utf8')
    const failures = logLines(t.logger, /^resync failed$/).length
    leader.faults.failNext(Number.POSITIVE_INFINITY, 503)
    standby.faults.failNext(Number.POSITIVE_INFINITY, 503)
    try {
      t.daemon.resync('test')
      await until(() => logLines(t.logger, /^resync failed$/).length > failures, 10_000, 'resync failed')
      await t.daemon.idle()
      expect(await readFile(t.configFile, 'utf8')).toBe(before)
      expect(before).toMatch(/^ {2}server 127_0_0_1_/m)
      const port = Number(/^frontend app_(\d+)$/m.exec(before)?.[1])
      expect((await t.get(port)).status).toBe(200)
    } finally {
      leader.faults.reset()
      standby.faults.reset()
    }
  }, 30_000)
})
