/**
 * Render benchmark (issue 2, `npm run bench`): for 1,000 and 5,000 apps × 5 tasks
 * (bench/gen-state.ts), measures
 *   - warm in-process render: parse of the Marathon body + generateConfig, median of ≥7 runs
 *     after a warm-up (with the parse and generate parts shown apart);
 *   - wall time of a whole `node bin/run.js serve --dry` process against a local HTTP server
 *     serving that state (median of several runs);
 *   - peak RSS of that process (`/usr/bin/time -f %M` when present, else the child reports its
 *     own `process.resourceUsage().maxRSS` through a preloaded module).
 * Prints a table and JSON (medians, with minimums and CPU times beside them: on a busy machine
 * CPU time and minimums move less than median wall time). Targets at 5,000 apps: ≤100 ms,
 * ≤700 ms, ≤180 MB.
 *
 * Usage: `npm run bench [-- <apps>...]` (needs `npm run build` first).
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawn} from 'node:child_process'

import {generateConfig, generateOptions, type GenerateOptions} from '../src/generate.js'
import {parseAppsChunks} from '../src/marathon/apps-stream.js'
import {readLbApps} from '../src/marathon/lb-fields.js'
import {loadTemplateSet} from '../src/templates/load.js'
import {BIN, cleanEnv, missingBuild} from '../test/cli-run.js'
import {startFixtureServer} from '../test/fixture-server.js'
import {generateState} from './gen-state.js'

/** The body in 64 KiB pieces, as it arrives from a socket. */
function chunksOf(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < body.length; i += 65536) out.push(body.subarray(i, i + 65536))
  return out
}

const WARMUP = 3
const RUNS = 9
const PROCESS_RUNS = 5
const TIME = '/usr/bin/time'

const OPTIONS: GenerateOptions = generateOptions({groups: ['external'], healthCheck: true})

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Minimum and median of a sample. */
interface Spread {
  readonly min: number
  readonly median: number
}

function spread(xs: readonly number[]): Spread {
  return {min: Math.min(...xs), median: median(xs)}
}

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

interface InProcess {
  /** Wall time of parse + generate. */
  readonly render: Spread
  /** CPU time of parse + generate (includes the GC's helper threads). */
  readonly renderCpu: Spread
  readonly parseMs: number
  readonly generateMs: number
  readonly configBytes: number
  readonly skipped: number
}

function inProcess(body: Buffer): InProcess {
  const templates = loadTemplateSet({env: {}, cwd: tmpdir()})
  const parse: number[] = []
  const gen: number[] = []
  const total: number[] = []
  const cpu: number[] = []
  let configBytes = 0
  let skipped = 0
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const c0 = cpuMs()
    const t0 = performance.now()
    const marathon = parseAppsChunks(chunksOf(body), readLbApps)
    const t1 = performance.now()
    const out = generateConfig({marathon, options: OPTIONS, templates, hostIps: new Map()})
    const t2 = performance.now()
    const c2 = cpuMs()
    if (i < WARMUP) continue
    parse.push(t1 - t0)
    gen.push(t2 - t1)
    total.push(t2 - t0)
    cpu.push(c2 - c0)
    configBytes = Buffer.byteLength(out.config)
    skipped = out.skipped.length
  }
  return {render: spread(total), renderCpu: spread(cpu), parseMs: median(parse), generateMs: median(gen), configBytes, skipped}
}

interface ProcessRun {
  readonly ms: number
  readonly rssKb: number
  /** user + system CPU seconds × 1000 (only with /usr/bin/time): less sensitive to a busy machine than wall time. */
  readonly cpuMs: number
  readonly code: number | null
  readonly stdoutBytes: number
}

const RSS_PRELOAD = `process.on('exit', () => process.stderr.write('\\nMLB_BENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'))`

function runProcess(url: string, work: string): Promise<ProcessRun> {
  const args = [BIN, 'serve', '--marathon', url, '--dry', '--group', 'external', '--health-check', '--syslog-socket', '/dev/null', '--haproxy-config', '/marathon-lb/haproxy.cfg']
  const rssFile = join(work, 'rss')
  const useTime = existsSync(TIME)
  const preload = join(work, 'rss-preload.mjs')
  if (!useTime) writeFileSync(preload, RSS_PRELOAD)
  const [cmd, argv] = useTime ? [TIME, ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...args]] : [process.execPath, ['--import', preload, ...args]]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(cmd, argv, {cwd: work, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let stdoutBytes = 0
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdoutBytes += c.length))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const ms = performance.now() - started
      const timed = useTime ? (readFileSync(rssFile, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number) : []
      const rssKb = useTime ? timed[0]! : Number(/MLB_BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN)
      const cpuMs = useTime ? ((timed[1] ?? NaN) + (timed[2] ?? NaN)) * 1000 : NaN
      if (code !== 0) process.stderr.write(stderr)
      resolve({ms, rssKb, cpuMs, code, stdoutBytes})
    })
  })
}

interface Row {
  readonly apps: number
  readonly tasks: number
  readonly bodyMB: number
  /** Median wall time of the warm render (the figure); min, and CPU times, alongside. */
  readonly renderMs: number
  readonly renderMinMs: number
  readonly renderCpuMs: Spread
  readonly parseMs: number
  readonly generateMs: number
  readonly processMs: number
  readonly processMinMs: number
  readonly processCpuMs: Spread
  readonly peakRssMB: number
  readonly configKB: number
}

async function measure(apps: number): Promise<Row> {
  const body = Buffer.from(JSON.stringify(generateState(apps)))
  const inproc = inProcess(body)
  const server = await startFixtureServer(body)
  const work = mkdtempSync(join(tmpdir(), 'mlb-bench-'))
  try {
    const runs: ProcessRun[] = []
    for (let i = 0; i < PROCESS_RUNS; i++) {
      const r = await runProcess(server.url, work)
      if (r.code !== 0) throw new Error(`mlb serve --dry exited with ${r.code}`)
      runs.push(r)
    }
    return {
      apps,
      tasks: apps * 5,
      bodyMB: body.length / 1048576,
      renderMs: inproc.render.median,
      renderMinMs: inproc.render.min,
      renderCpuMs: inproc.renderCpu,
      parseMs: inproc.parseMs,
      generateMs: inproc.generateMs,
      processMs: median(runs.map((r) => r.ms)),
      processMinMs: Math.min(...runs.map((r) => r.ms)),
      processCpuMs: spread(runs.map((r) => r.cpuMs)),
      peakRssMB: median(runs.map((r) => r.rssKb)) / 1024,
      configKB: inproc.configBytes / 1024,
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
    await server.close()
  }
}

function table(rows: readonly Row[]): string {
  const head = ['apps', 'tasks', 'body MB', 'warm render ms', '(parse', 'generate)', 'min', 'cpu med/min', 'process ms', 'min', 'cpu med/min', 'peak RSS MB', 'config KB']
  const pair = (x: Spread): string => `${x.median.toFixed(0)}/${x.min.toFixed(0)}`
  const lines = rows.map((r) =>
    [
      r.apps, r.tasks, r.bodyMB.toFixed(1), r.renderMs.toFixed(1), r.parseMs.toFixed(1), r.generateMs.toFixed(1), r.renderMinMs.toFixed(1), pair(r.renderCpuMs),
      r.processMs.toFixed(0), r.processMinMs.toFixed(0), pair(r.processCpuMs), r.peakRssMB.toFixed(1), r.configKB.toFixed(0),
    ].map(String),
  )
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')
  return [fmt(head), ...lines.map(fmt)].join('\n')
}

const notBuilt = missingBuild()
if (notBuilt !== undefined) {
  process.stderr.write(`${notBuilt}\n`)
  process.exit(1)
}
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
const rows: Row[] = []
// Other work on the machine inflates wall times: the load average is printed with the figures.
const loadBefore = loadavg()[0]!
for (const n of sizes.length > 0 ? sizes : [1000, 5000]) rows.push(await measure(n))
const load = {before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2))}
process.stdout.write(`${table(rows)}\n\nload average (1 min): ${load.before} before, ${load.after} after\n`)
process.stdout.write('targets at 5,000 apps: warm render <= 100 ms, process <= 700 ms, peak RSS <= 180 MB\n\n')
process.stdout.write(`${JSON.stringify({bench: 'render', runs: {inProcess: RUNS, warmup: WARMUP, process: PROCESS_RUNS}, load, rows}, null, 2)}\n`)
