/**
 * Reload under load (issue 4 "Proof"): a bounded load generator sends requests through HAProxy to
 * an app with real tasks while 50 config changes made in Marathon are applied, one reload each.
 * Keep-alive is off (one connection per request); no request may fail.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {startLoad} from '../load-generator.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'

const SERVICE_PORTS = {min: 21400, max: 21499}
const TASK_PORTS = {min: 23000, max: 23199}
const CHANGES = 50

describe('mlb serve daemon: reloads under load', () => {
  let sim: Simulator
  let t: TestDaemon

  beforeAll(async () => {
    sim = await startSimulator({
      servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS, virtualTasks: true, realTaskApps: ['/web'],
      apps: {apps: [{id: '/web', cmd: 'x', instances: 2, portDefinitions: [{port: 0}]}, {id: '/other', cmd: 'x', instances: 1, portDefinitions: [{port: 0}]}]},
    })
    await sim.waitFor(() => sim.tasks().filter((x) => x.state === 'TASK_RUNNING').length === 3, 20_000)
    t = await startTestDaemon({marathon: [sim.url]})
    await t.daemon.idle()
  }, 60_000)

  afterAll(async () => {
    await t?.stop()
    await sim?.stop()
  }, 30_000)

  it(`loses no request while ${CHANGES} config changes are reloaded`, async () => {
    const port = sim.engine.store.apps.get('/web')!.def.portDefinitions[0]!.port
    expect((await t.get(port)).status).toBe(200)
    const load = startLoad({url: `http://127.0.0.1:${port}/`, concurrency: 4, keepAlive: false, durationMs: 60_000})
    let reloads = 0
    try {
      for (let i = 0; i < CHANGES; i++) {
        const before = logLines(t.logger, /^reloaded HAProxy$/).length
        // A label change of another app: a new config, and a reload, each time.
        const res = await fetch(`${sim.url}/v2/apps/other?force=true`, {
          method: 'PUT', headers: {'content-type': 'application/json'},
          body: JSON.stringify({labels: {HAPROXY_0_BALANCE: i % 2 === 0 ? 'leastconn' : 'roundrobin'}}),
        })
        expect(res.status).toBe(200)
        await until(() => logLines(t.logger, /^reloaded HAProxy$/).length > before, 10_000, `reload ${i + 1}`)
        reloads++
      }
    } finally {
      const totals = await load.stop()
      console.log(`reloads under load: ${reloads} reloads; requests ${totals.requests}, 2xx ${totals.ok2xx}, non-2xx ${totals.non2xx}, connection errors ${totals.errors}, keep-alive off, p99 ${totals.p99Ms.toFixed(1)} ms`, totals.errorCodes, totals.statuses)
      expect(totals.requests).toBeGreaterThan(100)
      expect(totals.non2xx).toBe(0)
      expect(totals.errors).toBe(0)
    }
    expect(reloads).toBe(CHANGES)
  }, 90_000)
})
