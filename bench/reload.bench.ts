/**
 * Reload latency benchmark: time from the reload request to the new worker confirmed in
 * `show proc`, over 50 reloads through the master CLI, after 3 warm-up reloads; also the whole
 * deploy (validate + write + state + reload). Real HAProxy on loopback, a small config.
 * Prints JSON. Usage: `npx tsx bench/reload.bench.ts [reloads]`.
 */
import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {systemClock} from '../src/clock.js'
import {deployConfig, type DeployOptions} from '../src/haproxy/deploy.js'
import {createMasterReloader} from '../src/haproxy/reload.js'
import {defaultLayout} from '../src/haproxy/stage.js'
import {freePort, httpProxy, startTestHaproxy} from '../test/haproxy-harness.js'

const WARMUP = 3

function stats(samples: number[]): {p50: number; p99: number; max: number} {
  const s = [...samples].sort((a, b) => a - b)
  const at = (p: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 10) / 10
  return {p50: at(0.5), p99: at(0.99), max: at(1)}
}

async function main(): Promise<void> {
  const reloads = Number(process.argv[2] ?? 50)
  const port = await freePort()
  const h = await startTestHaproxy({body: httpProxy('app', port, ['127.0.0.1:9'])})
  try {
    const reloader = createMasterReloader(h.masterSocket, {reloadIntervalMs: 5000, maxReloadRetries: 2, pollMs: 10})
    const reloadMs: number[] = []
    for (let i = 0; i < WARMUP + reloads; i++) {
      const r = await reloader.reload()
      if (!r.ok) throw new Error(`reload failed: ${r.error}`)
      if (i >= WARMUP) reloadMs.push(r.durationMs)
    }
    const base = await readFile(h.configFile, 'utf8')
    await mkdir(join(h.dir, 'archive'))
    const opts: DeployOptions = {
      layout: defaultLayout(h.configFile, false),
      skipValidation: false,
      archive: {dir: join(h.dir, 'archive'), versions: 5},
      serverState: {file: h.serverStateFile, statsSocket: h.statsSocket},
      reloader,
      clock: systemClock,
    }
    const deployMs: number[] = []
    const validateMs: number[] = []
    for (let i = 0; i < reloads; i++) {
      const r = await deployConfig({config: `${base}# ${i}\n`, domainMap: '', appMap: ''}, opts)
      if (!r.reloaded) throw new Error(`deploy failed: ${r.errors.join('; ')}`)
      deployMs.push(r.durations.totalMs)
      validateMs.push(r.durations.validateMs)
    }
    const status = await h.supervisor.status()
    console.log(JSON.stringify({reloads, reloadConfirmedMs: stats(reloadMs), deployMs: stats(deployMs), validateMs: stats(validateMs), oldWorkersAtEnd: status.oldWorkers.length}, null, 2))
  } finally {
    await h.stop()
  }
}

await main()
