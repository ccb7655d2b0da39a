/**
 * `mlb serve` end to end (issue 4 "Proof"): the simulator and a real HAProxy on loopback. An app
 * created in Marathon is routed (service port and vhost), scaling up adds servers that get
 * requests, a killed task stops getting them, a deleted app disappears; an unchanged config is not
 * reloaded; SIGTERM-equivalent stop leaves no HAProxy or task process.
 */
import {readFile} from 'node:fs/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'
import {alive} from '../wait.js'

const SERVICE_PORTS = {min: 21000, max: 21099}
const TASK_PORTS = {min: 22000, max: 22199}

async function post(sim: Simulator, path: string, body: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${sim.url}${path}`, {method, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
}

/** Task ids seen answering through `port` in `n` requests. */
async function servedBy(t: TestDaemon, port: number, n: number, host?: string): Promise<Set<string>> {
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const r = await t.get(port, '/', host)
    if (r.status === 200) seen.add((JSON.parse(r.body) as {taskId: string}).taskId)
  }
  return seen
}

describe('mlb serve daemon: routing follows Marathon', () => {
  let sim: Simulator
  let t: TestDaemon
  const servicePort = () => (sim.engine.store.apps.get('/web')?.def.portDefinitions[0]?.port ?? 0)

  beforeAll(async () => {
    sim = await startSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS, heartbeatMs: 1000})
    t = await startTestDaemon({marathon: [sim.url]})
  }, 30_000)

  afterAll(async () => {
    const pids = await t?.daemon.haproxyStatus().then((s) => (s ? [s.masterPid, ...s.workers.map((w) => w.pid)] : []), () => [])
    await t?.stop()
    const taskPids = sim?.taskPids() ?? []
    await sim?.stop()
    // Nothing left behind: HAProxy's master and workers, and every task process.
    await until(() => [...pids, ...taskPids].every((p) => !alive(p)), 10_000, 'processes gone')
  }, 30_000)

  it('routes a new app through its service port and its vhost, then follows scale, kill and delete', async () => {
    await post(sim, '/v2/apps', {id: '/web', cmd: 'x', instances: 1, labels: {HAPROXY_0_VHOST: 'web.test'}, portDefinitions: [{port: 0}]})
    await until(async () => (await t.get(servicePort())).status === 200, 10_000, 'app routed on its service port')
    const vhost = await t.get(t.ports.http, '/', 'web.test')
    expect(vhost.status).toBe(200)
    expect(JSON.parse(vhost.body).appId).toBe('/web')

    await post(sim, '/v2/apps/web', {instances: 3}, 'PUT')
    await sim.waitForDeployments()
    const ids = new Set(sim.tasks('/web').map((x) => x.id))
    expect(ids.size).toBe(3)
    await until(async () => (await servedBy(t, servicePort(), 9)).size === 3, 10_000, 'three tasks serve')

    const victim = sim.tasks('/web')[0]!.id
    sim.killTask(victim)
    await until(() => !sim.tasks('/web').some((x) => x.id === victim), 10_000, 'task gone from Marathon')
    await until(async () => !(await servedBy(t, servicePort(), 12)).has(victim), 5000, 'killed task no longer served')

    const port = servicePort()
    await fetch(`${sim.url}/v2/apps/web`, {method: 'DELETE'})
    await until(async () => !/^backend web_/m.test(await readFile(t.configFile, 'utf8')), 5000, 'app gone from the config')
    // The file is written before the reload it triggers completes: wait for the listener to go.
    await until(async () => t.get(port).then(() => false, () => true), 5000, 'service port closed after the reload')
    await expect(t.get(port)).rejects.toThrow()
    // Creating and deleting the app reload; scaling and the kill go through the runtime API.
    await until(() => logLines(t.logger, /^reloaded HAProxy$/).length >= 2, 5000, 'create and delete reloaded')
    expect(logLines(t.logger, /^applied through the runtime API/).length).toBeGreaterThanOrEqual(1)
  }, 60_000)

  it('does not reload when the configuration is unchanged', async () => {
    await t.daemon.idle()
    const before = logLines(t.logger, /^reloaded HAProxy$/).length
    const status = await t.daemon.haproxyStatus()
    const unchanged = logLines(t.logger, /^configuration unchanged/).length
    t.daemon.resync('test')
    await until(() => logLines(t.logger, /^configuration unchanged/).length > unchanged, 5000, 'resync ran')
    await t.daemon.idle()
    expect(logLines(t.logger, /^reloaded HAProxy$/).length).toBe(before)
    expect((await t.daemon.haproxyStatus())?.reloads).toBe(status?.reloads)
  }, 20_000)
})
