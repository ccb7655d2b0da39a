/**
 * One app with a bad template label among 100 (issue 4 "Proof"): HAProxy refuses the full
 * config, the daemon finds the app by bisection, serves the 99 others, names it in the log and in
 * `mlb_excluded_app`, and runs `haproxy -c` at most 2·⌈log2 N⌉ + 2 times for it (counted by a
 * wrapper around the real binary).
 */
import {readFile} from 'node:fs/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'

const SERVICE_PORTS = {min: 21200, max: 21399}
const TASK_PORTS = {min: 22400, max: 22999}
const N = 100

describe('mlb serve daemon: a bad app among 100', () => {
  let sim: Simulator
  let t: TestDaemon

  beforeAll(async () => {
    const apps = Array.from({length: N - 1}, (_, i) => ({id: `/good-${String(i).padStart(3, '0')}`, cmd: 'x', instances: 1, portDefinitions: [{port: 0}]}))
    // Virtual tasks for the 99, one real task to send a request to.
    sim = await startSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS, virtualTasks: true, realTaskApps: ['/good-000'], apps: {apps}})
    await sim.waitFor(() => sim.tasks().filter((x) => x.state === 'TASK_RUNNING').length === N - 1, 20_000)
    t = await startTestDaemon({marathon: [sim.url], echo: process.env.ECHO === '1'})
    await t.daemon.idle()
  }, 60_000)

  afterAll(async () => {
    await t?.stop()
    await sim?.stop()
  }, 30_000)

  it('excludes the bad app, serves the 99 others and bounds the validations', async () => {
    const checksBefore = await t.checks()
    const res = await fetch(`${sim.url}/v2/apps`, {
      method: 'POST', headers: {'content-type': 'application/json'},
      // `balance` takes an algorithm name: HAProxy refuses the whole file with this one.
      body: JSON.stringify({id: '/bad', cmd: 'x', instances: 1, labels: {HAPROXY_0_BALANCE: 'no-such-algorithm'}, portDefinitions: [{port: 0}]}),
    })
    expect(res.status).toBe(201)
    await until(() => logLines(t.logger, /^excluded app \/bad: invalid HAProxy configuration: /).length > 0, 20_000, 'bad app excluded')
    await t.daemon.idle()
    const checks = (await t.checks()) - checksBefore
    const bound = 2 * Math.ceil(Math.log2(N)) + 2
    const done = logLines(t.logger, /^bisection done$/).at(-1)
    console.log(`bisection over ${N} units: ${checks} haproxy -c runs (bound ${bound}), ${JSON.stringify(done?.fields)}`)
    expect(checks).toBeLessThanOrEqual(bound)
    expect(done?.fields['validations']).toBe(checks)

    const line = logLines(t.logger, /^excluded app \/bad:/)[0]!
    expect(line.msg).toMatch(/balance|algorithm/i)
    expect([...t.daemon.excluded().keys()]).toEqual(['/bad'])
    const config = await readFile(t.configFile, 'utf8')
    expect((config.match(/^frontend good-\d+_\d+$/gm) ?? []).length).toBe(N - 1)
    expect(config).not.toMatch(/^frontend bad_/m)
    const port = Number(/^frontend good-000_(\d+)$/m.exec(config)?.[1])
    const served = await t.get(port)
    expect(JSON.parse(served.body).appId).toBe('/good-000')
    const metrics = await (await fetch(`${t.daemon.metricsUrl}/metrics`)).text()
    expect(metrics).toMatch(/^mlb_excluded_app\{app_id="\/bad"\} 1$/m)
    expect(metrics).toMatch(/^mlb_config_validation_failures_total [1-9]/m)
  }, 60_000)

  it('keeps the bad app out on the next resync with one check, and takes it back once fixed', async () => {
    const before = await t.checks()
    t.daemon.resync('test')
    await until(async () => (await t.checks()) > before, 10_000, 'resync validated')
    await t.daemon.idle()
    // The full config (refused) and the config without the bad app (accepted, already on disk).
    expect((await t.checks()) - before).toBe(2)
    const res = await fetch(`${sim.url}/v2/apps/bad?force=true`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify({labels: {HAPROXY_0_BALANCE: 'leastconn'}})})
    expect(res.status).toBe(200)
    await until(async () => /^frontend bad_\d+$/m.test(await readFile(t.configFile, 'utf8')), 10_000, 'fixed app served')
    await t.daemon.idle()
    expect(t.daemon.excluded().size).toBe(0)
  }, 30_000)
})
