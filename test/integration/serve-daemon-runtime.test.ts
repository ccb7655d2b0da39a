/**
 * Task churn through the HAProxy runtime API (docs/haproxy.md "Task churn without a reload"):
 * the simulator and a real HAProxy on loopback. Scaling up and down, and killing a task, change
 * the running worker without a reload while the file on disk follows; a change that needs a
 * reload still reloads; a refused runtime command falls back to a reload; `--no-runtime-api`
 * reloads every time.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {workerCommand} from '../../src/haproxy/master.js'
import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'

async function send(sim: Simulator, path: string, body: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${sim.url}${path}`, {method, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
}

/** Task ids seen answering through `port` in `n` requests. */
async function servedBy(t: TestDaemon, port: number, n: number): Promise<Set<string>> {
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const r = await t.get(port, '/')
    if (r.status === 200) seen.add((JSON.parse(r.body) as {taskId: string}).taskId)
  }
  return seen
}

const reloads = async (t: TestDaemon): Promise<number> => (await t.daemon.haproxyStatus())?.reloads ?? -1
const socketOf = (t: TestDaemon): string => join(t.dir, 'run', 'master.sock')
/** Server lines of the running worker (`show servers state`) and of the file, by task port. */
const runningPorts = async (t: TestDaemon, backend: string): Promise<number[]> =>
  (await workerCommand(socketOf(t), `show servers state ${backend}`)).split('\n').filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(' ')[18])).sort()
const filePorts = async (t: TestDaemon, backend: string): Promise<number[]> => {
  const text = await readFile(t.configFile, 'utf8')
  const section = text.split(/\n(?=\S)/).find((s) => s.startsWith(`backend ${backend}\n`)) ?? ''
  return [...section.matchAll(/^\s+server \S+ [\d.]+:(\d+)/gm)].map((m) => Number(m[1])).sort()
}
const taskPorts = (sim: Simulator, appId: string): number[] => sim.tasks(appId).map((x) => x.ports[0]!).sort()

describe('mlb serve daemon: task churn through the runtime API', () => {
  let sim: Simulator
  let t: TestDaemon
  const servicePort = (): number => sim.engine.store.apps.get('/web')?.def.portDefinitions[0]?.port ?? 0
  const backend = (): string => `web_${servicePort()}`

  beforeAll(async () => {
    sim = await startSimulator({servicePorts: {min: 21600, max: 21699}, taskPorts: {min: 24000, max: 24199}, heartbeatMs: 1000})
    t = await startTestDaemon({marathon: [sim.url]})
    // No Marathon health check: on a loaded machine health results arrive late or flap, and a
    // task's health decides whether it (and, with its last task, the app) is in the config at
    // all, which turns a scale-up into a reload. `check` lines are covered by the unit tests.
    await send(sim, '/v2/apps', {id: '/web', cmd: 'x', instances: 1, portDefinitions: [{port: 0}]})
    await until(async () => (await t.get(servicePort()).catch(() => ({status: 0}))).status === 200, 15_000, 'app routed')
    // The new app's reload, confirmed by the master, before the tests count reloads.
    await until(async () => (await reloads(t)) >= 1 && logLines(t.logger, /^reloaded HAProxy$/).length >= 1, 15_000, 'first reload confirmed')
    await t.daemon.idle()
  }, 40_000)

  afterAll(async () => {
    await t?.stop()
    await sim?.stop()
  }, 30_000)

  it('adds servers on scale-up without a reload; the file has them', async () => {
    const before = await reloads(t)
    await send(sim, '/v2/apps/web?force=true', {instances: 3}, 'PUT')
    await until(async () => (await servedBy(t, servicePort(), 9)).size === 3, 15_000, 'three tasks serve')
    await t.daemon.idle()
    expect(await reloads(t), JSON.stringify(logLines(t.logger, /^(reloaded|applied|resync done|received event)/).map((r) => [r.msg, r.fields['reason'] ?? r.fields['reasons']]))).toBe(before)
    expect(logLines(t.logger, /^applied through the runtime API/).length).toBeGreaterThan(0)
    expect(await filePorts(t, backend())).toEqual(taskPorts(sim, '/web'))
    expect(await runningPorts(t, backend())).toEqual(taskPorts(sim, '/web'))
    const metrics = await (await fetch(`http://127.0.0.1:${t.ports.metrics}/metrics`)).text()
    expect(metrics).toMatch(/^mlb_runtime_applies_total [1-9]/m)
  }, 40_000)

  it('takes a killed task and a scale-down out without a reload, and deletes the servers', async () => {
    const before = await reloads(t)
    const victim = sim.tasks('/web')[0]!
    sim.killTask(victim.id)
    await until(() => !sim.tasks('/web').some((x) => x.id === victim.id), 10_000, 'task gone from Marathon')
    await until(async () => !(await servedBy(t, servicePort(), 9)).has(victim.id), 10_000, 'killed task no longer served')
    await send(sim, '/v2/apps/web?force=true', {instances: 1}, 'PUT')
    await sim.waitForDeployments()
    await t.daemon.idle()
    // Replacement tasks come and go; wait until Marathon, the worker and the file agree.
    await until(async () => {
      const want = taskPorts(sim, '/web')
      return want.length === 1 && JSON.stringify(await runningPorts(t, backend())) === JSON.stringify(want) && JSON.stringify(await filePorts(t, backend())) === JSON.stringify(want)
    }, 15_000, 'removed servers deleted from HAProxy and from the file')
    expect(await runningPorts(t, backend())).not.toContain(victim.ports[0])
    expect(await reloads(t), JSON.stringify(logLines(t.logger, /^(reloaded|applied|resync done|received event)/).map((r) => [r.msg, r.fields['reason'] ?? r.fields['reasons']]))).toBe(before)
  }, 40_000)

  it('still reloads for a change that needs it (a new app)', async () => {
    const before = await reloads(t)
    await send(sim, '/v2/apps', {id: '/other', cmd: 'x', instances: 1, labels: {HAPROXY_0_VHOST: 'other.test'}, portDefinitions: [{port: 0}]})
    await until(async () => (await t.get(t.ports.http, '/', 'other.test').catch(() => ({status: 0}))).status === 200, 15_000, 'new app routed')
    await t.daemon.idle()
    expect(await reloads(t)).toBeGreaterThan(before)
    expect(logLines(t.logger, /^reloaded HAProxy$/).at(-1)?.fields['reason']).toMatch(/^more than server lines changed/)
    // Servers added at runtime are static lines now, restored from the saved state: up, not in maintenance.
    expect(await runningPorts(t, backend())).toEqual(taskPorts(sim, '/web'))
    const state = (await workerCommand(socketOf(t), `show servers state ${backend()}`)).split('\n').filter((l) => /^\d+ /.test(l)).map((l) => l.split(' '))
    expect(state.map((f) => [f[5], f[6]])).toEqual(state.map(() => ['2', '0']))
    // The new app's events found /web unchanged: read once, then handed back as it was (app-reuse.ts).
    const reads = logLines(t.logger, /^read Marathon's apps: /).map((r) => r.msg)
    expect(reads.some((m) => /: 1 read, 1 unchanged/.test(m)), JSON.stringify(reads)).toBe(true)
  }, 40_000)

  it('falls back to a reload when a runtime command is refused', async () => {
    await send(sim, '/v2/apps/web?force=true', {instances: 2}, 'PUT')
    await until(async () => (await runningPorts(t, backend())).length === 2, 15_000, 'two servers')
    await t.daemon.idle()
    const before = await reloads(t)
    // Delete one server behind mlb's back: taking it out at runtime (`set server … state maint`) fails.
    const gone = await workerCommand(socketOf(t), `show servers state ${backend()}`)
    const name = gone.split('\n').filter((l) => /^\d+ /.test(l))[0]!.split(' ')[3]!
    expect(await workerCommand(socketOf(t), `set server ${backend()}/${name} state maint`)).toBe('\n')
    expect(await workerCommand(socketOf(t), `del server ${backend()}/${name}`)).toContain('Server deleted')
    const port = Number(name.split('_').at(-1))
    const task = sim.tasks('/web').find((x) => x.ports[0] === port)!
    sim.killTask(task.id)
    await until(async () => (await reloads(t)) > before, 15_000, 'reloaded after the refused command')
    await t.daemon.idle()
    expect(logLines(t.logger, /^reloaded HAProxy$/).some((r) => String(r.fields['reason']).startsWith('runtime command refused'))).toBe(true)
    await until(async () => JSON.stringify(await runningPorts(t, backend())) === JSON.stringify(taskPorts(sim, '/web')), 15_000, 'worker matches Marathon')
  }, 40_000)
})

describe('mlb serve daemon: --no-runtime-api', () => {
  let sim: Simulator
  let t: TestDaemon

  beforeAll(async () => {
    sim = await startSimulator({servicePorts: {min: 21700, max: 21799}, taskPorts: {min: 24200, max: 24399}, heartbeatMs: 1000})
    t = await startTestDaemon({marathon: [sim.url], args: ['--no-runtime-api']})
  }, 30_000)

  afterAll(async () => {
    await t?.stop()
    await sim?.stop()
  }, 30_000)

  it('reloads on scale-up as before', async () => {
    await send(sim, '/v2/apps', {id: '/web', cmd: 'x', instances: 1, portDefinitions: [{port: 0}]})
    const port = (): number => sim.engine.store.apps.get('/web')?.def.portDefinitions[0]?.port ?? 0
    await until(async () => (await t.get(port()).catch(() => ({status: 0}))).status === 200, 15_000, 'app routed')
    await t.daemon.idle()
    const before = await reloads(t)
    await send(sim, '/v2/apps/web?force=true', {instances: 2}, 'PUT')
    await until(async () => (await servedBy(t, port(), 6)).size === 2, 15_000, 'two tasks serve')
    expect(await reloads(t)).toBeGreaterThan(before)
    expect(logLines(t.logger, /^applied through the runtime API/)).toEqual([])
  }, 40_000)
})
