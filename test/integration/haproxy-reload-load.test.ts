import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {systemClock} from '../../src/clock.js'
import {deployConfig, type DeployOptions} from '../../src/haproxy/deploy.js'
import {showProc} from '../../src/haproxy/master.js'
import {createMasterReloader} from '../../src/haproxy/reload.js'
import {defaultLayout} from '../../src/haproxy/stage.js'
import {freePort, httpProxy, startTestHaproxy, type TestHaproxy} from '../haproxy-harness.js'
import {startBackend, startLoad, type Backend} from '../load-generator.js'

const RELOADS = 50

let h: TestHaproxy
let be: Backend
let port = 0
let configs: [string, string] = ['', '']
let opts: DeployOptions

beforeAll(async () => {
  be = await startBackend()
  port = await freePort()
  h = await startTestHaproxy({body: httpProxy('app', port, [`127.0.0.1:${be.port}`])})
  const base = await readFile(h.configFile, 'utf8')
  // Two configurations that both route to the backend, so every deploy is a real change.
  configs = [base.replace(/(server app_0 \S+)/, '$1 weight 2'), base]
  await mkdir(join(h.dir, 'archive'))
  opts = {
    layout: defaultLayout(h.configFile, false),
    skipValidation: false,
    archive: {dir: join(h.dir, 'archive'), versions: 2},
    serverState: {file: h.serverStateFile, statsSocket: h.statsSocket},
    reloader: createMasterReloader(h.masterSocket, {reloadIntervalMs: 5000, maxReloadRetries: 2}),
    clock: systemClock,
  }
})

afterAll(async () => {
  await h?.stop()
  await be?.close()
})

describe(`${RELOADS} reloads in a row under load lose no request`, () => {
  for (const keepAlive of [false, true]) {
    it(`keep-alive ${keepAlive ? 'on' : 'off'}: 0 non-2xx, 0 connection errors`, async () => {
      const before = await showProc(h.masterSocket)
      const load = startLoad({url: `http://127.0.0.1:${port}/`, concurrency: 8, keepAlive, durationMs: 40_000})
      const deployMs: number[] = []
      let reloaded = 0
      for (let i = 0; i < RELOADS; i++) {
        const r = await deployConfig({config: configs[i % 2] as string, domainMap: '', appMap: ''}, opts)
        if (r.reloaded && r.reload?.confirmed === true) reloaded++
        deployMs.push(r.durations.totalMs)
      }
      const totals = await load.stop()
      const after = await showProc(h.masterSocket)
      deployMs.sort((a, b) => a - b)
      console.log(
        `reload under load (keep-alive ${keepAlive ? 'on' : 'off'}): ${JSON.stringify({
          reloads: reloaded,
          ...totals,
          deployP50Ms: Math.round(deployMs[Math.floor(RELOADS / 2)] ?? 0),
          deployMaxMs: Math.round(deployMs[RELOADS - 1] ?? 0),
          oldWorkersAtEnd: after.oldWorkers.length,
        })}`,
      )
      expect(reloaded).toBe(RELOADS)
      expect(after.master.reloads - before.master.reloads).toBe(RELOADS)
      expect(after.master.failedReloads).toBe(before.master.failedReloads)
      expect(totals.requests).toBeGreaterThan(RELOADS * 20)
      expect(totals.non2xx).toBe(0)
      expect(totals.errors).toBe(0)
      expect(totals.ok2xx).toBe(totals.requests)
    })
  }
})
