/**
 * Render benchmark (issue 2, `npm run bench`): for 1,000 and 5,000 apps × 5 tasks
 * (bench/gen-state.ts), measures
 *   - warm in-process render, parse of the Marathon body + generateConfig, median of 9 runs
 *     after a warm-up, two ways:
 *       · per event, as the daemon regenerates: the same reader across bodies
 *         (src/marathon/app-reuse.ts), each body a new event — every health-checked task has a new
 *         `lastSuccess` (all health checks ran since the last read), one app has a task replaced
 *         and another a task whose health flipped; unchanged apps are reused; each body arrives
 *         in new 64 KiB buffers, as from a socket;
 *       · whole state read afresh (a new reader each time, nothing reused), as a first read;
 *     with the parse and generate parts shown apart;
 *     with the daemon's V8 settings (src/v8-flags.ts);
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

import {generateConfig, GenerateMemo, generateOptions, type GeneratedConfig, type GenerateOptions} from '../src/generate.js'
import {parseAppsChunks, type AppTransform} from '../src/marathon/apps-stream.js'
import {readLbApps, reusingLbApps} from '../src/marathon/lb-fields.js'
import {loadTemplateSet} from '../src/templates/load.js'
import {applyV8Flags, PROCESS_V8_FLAGS} from '../src/v8-flags.js'
import {BIN, cleanEnv, missingBuild} from '../test/cli-run.js'
import {startFixtureServer} from '../test/fixture-server.js'
import {generateState} from './gen-state.js'

// The in-process figures stand for the daemon: bin/run.js' V8 settings, without the one-shot ones.
applyV8Flags(PROCESS_V8_FLAGS)

const CHUNK = 65536

/**
 * `{"apps": [...]}` of `state` in new 64 KiB buffers, as a daemon receives a body from its
 * socket. Written app by app: serialising the whole state at once would leave a 21 MB string
 * behind for every event, garbage the daemon never makes, collected in the timed events.
 */
function bodyChunks(state: State): Buffer[] {
  const out: Buffer[] = []
  let chunk = Buffer.allocUnsafe(CHUNK)
  let at = 0
  const put = (bytes: Buffer): void => {
    for (let from = 0; from < bytes.length; ) {
      const n = bytes.copy(chunk, at, from)
      from += n
      at += n
      if (at === CHUNK) {
        out.push(chunk)
        chunk = Buffer.allocUnsafe(CHUNK)
        at = 0
      }
    }
  }
  put(Buffer.from('{"apps":['))
  state.apps.forEach((app, i) => put(Buffer.from(`${i === 0 ? '' : ','}${JSON.stringify(app)}`)))
  put(Buffer.from(']}'))
  if (at > 0) out.push(chunk.subarray(0, at))
  return out
}

const WARMUP = 3
const RUNS = 9
const PROCESS_RUNS = 7
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

interface Warm {
  /** Wall time of parse + generate. */
  readonly render: Spread
  /** CPU time of parse + generate (includes the GC's helper threads). */
  readonly renderCpu: Spread
  readonly parseMs: number
  readonly generateMs: number
}

interface InProcess {
  /** Per event, unchanged apps reused. */
  readonly event: Warm
  /** The whole state read afresh. */
  readonly fresh: Warm
  readonly configBytes: number
  readonly skipped: number
  /** Apps read again (not reused) per event, median. */
  readonly readPerEvent: number
}

type State = {apps: {tasks: {id: string; host: string; ports: number[]; healthCheckResults?: {alive: boolean; lastSuccess: string}[]}[]}[]}

/**
 * The body of event `e` on `state` (changed in place, events build on each other): every health
 * check reported again (a new `lastSuccess` on every result), one task replaced by a new one on
 * another host, one task's health flipped. Made just before it is read, as a daemon receives one
 * body at a time (holding a dozen 21 MB bodies at once would tax the garbage collector).
 */
function eventBody(state: State, e: number): Buffer[] {
  const apps = state.apps
  const at = new Date(Date.UTC(2024, 4, 1, 10, 5, e)).toISOString()
  for (const app of apps) for (const t of app.tasks) for (const r of t.healthCheckResults ?? []) r.lastSuccess = at
  const replaced = apps[(e * 7919) % apps.length]!.tasks
  replaced[0] = {...replaced[0]!, id: `${replaced[0]!.id.split('.')[0]}.instance-event-${e}._app.1`, host: `10.200.${e % 250}.${1 + (e % 200)}`, ports: replaced[0]!.ports.map((p) => p + 1)}
  const flapped = apps[(e * 104729) % apps.length]!.tasks.find((t) => t.healthCheckResults !== undefined)
  const result = flapped?.healthCheckResults?.[0]
  if (result !== undefined) result.alive = !result.alive
  return bodyChunks(state)
}

/** WARMUP + RUNS events on a copy of `initial`, read with `read` (and `memo`): the timed figures. */
function warmRuns(initial: State, read: () => AppTransform, memo?: GenerateMemo, after: () => void = () => {}): {warm: Warm; config: GeneratedConfig} {
  const state = structuredClone(initial)
  const templates = loadTemplateSet({env: {}, cwd: tmpdir()})
  const parse: number[] = []
  const gen: number[] = []
  const total: number[] = []
  const cpu: number[] = []
  let config: GeneratedConfig | undefined
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const chunks = eventBody(state, i + 1)
    const c0 = cpuMs()
    const t0 = performance.now()
    const marathon = parseAppsChunks(chunks, read())
    const t1 = performance.now()
    config = generateConfig({marathon, options: OPTIONS, templates, hostIps: new Map(), ...(memo === undefined ? {} : {memo})})
    const t2 = performance.now()
    const c2 = cpuMs()
    after()
    if (i < WARMUP) continue
    parse.push(t1 - t0)
    gen.push(t2 - t1)
    total.push(t2 - t0)
    cpu.push(c2 - c0)
  }
  return {warm: {render: spread(total), renderCpu: spread(cpu), parseMs: median(parse), generateMs: median(gen)}, config: config!}
}

function inProcess(state: State): InProcess {
  const reuse = reusingLbApps()
  const readCounts: number[] = []
  const read = (): AppTransform => {
    reuse.begin()
    return reuse.transform
  }
  const event = warmRuns(state, read, new GenerateMemo(), () => readCounts.push(reuse.readAgain))
  const fresh = warmRuns(state, () => readLbApps)
  // Reuse must not change a byte: the last event's config equals the one read afresh.
  if (event.config.config !== fresh.config.config) throw new Error('per-event config differs from the config read afresh')
  return {event: event.warm, fresh: fresh.warm, configBytes: Buffer.byteLength(fresh.config.config), skipped: fresh.config.skipped.length, readPerEvent: median(readCounts.slice(WARMUP))}
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

/**
 * Median wall time of `node -e 0` with the environment the processes get: the part of every
 * process figure that is Node's own start, not mlb's (NODE_EXTRA_CA_CERTS, for one, makes Node
 * read and parse a CA bundle before any script runs).
 */
async function nodeStartMs(): Promise<number> {
  const runs: number[] = []
  for (let i = 0; i < PROCESS_RUNS; i++) {
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', '0'], {env: cleanEnv(), stdio: 'ignore'})
      child.on('error', reject)
      child.on('close', () => resolve())
    })
    runs.push(performance.now() - started)
  }
  return median(runs)
}

interface Row {
  readonly apps: number
  readonly tasks: number
  readonly bodyMB: number
  /** Warm render per event (unchanged apps reused): the daemon's cost of one Marathon event. */
  readonly event: Warm
  /** Apps read again per event (the rest were reused). */
  readonly readPerEvent: number
  /** Warm render of the whole state read afresh (nothing reused). */
  readonly fresh: Warm
  readonly processMs: number
  readonly processMinMs: number
  readonly processCpuMs: Spread
  readonly peakRssMB: number
  readonly configKB: number
}

async function measure(apps: number): Promise<Row> {
  const state = generateState(apps) as State
  const body = Buffer.from(JSON.stringify(state))
  // The processes first, while this process (which serves the body) holds little: its own
  // garbage collection would otherwise stall the server and show in the processes' wall time.
  const server = await startFixtureServer(body)
  const work = mkdtempSync(join(tmpdir(), 'mlb-bench-'))
  const runs: ProcessRun[] = []
  try {
    for (let i = 0; i < PROCESS_RUNS; i++) {
      const r = await runProcess(server.url, work)
      if (r.code !== 0) throw new Error(`mlb serve --dry exited with ${r.code}`)
      runs.push(r)
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
    await server.close()
  }
  const inproc = inProcess(state)
  return {
    apps,
    tasks: apps * 5,
    bodyMB: body.length / 1048576,
    event: inproc.event,
    readPerEvent: inproc.readPerEvent,
    fresh: inproc.fresh,
    processMs: median(runs.map((r) => r.ms)),
    processMinMs: Math.min(...runs.map((r) => r.ms)),
    processCpuMs: spread(runs.map((r) => r.cpuMs)),
    peakRssMB: median(runs.map((r) => r.rssKb)) / 1024,
    configKB: inproc.configBytes / 1024,
  }
}

function table(rows: readonly Row[]): string {
  const head = ['apps', 'tasks', 'body MB', 'per event ms', 'min', '(parse', 'generate)', 'fresh ms', 'min', '(parse', 'generate)', 'process ms', 'min', 'cpu med/min', 'peak RSS MB', 'config KB']
  const pair = (x: Spread): string => `${x.median.toFixed(0)}/${x.min.toFixed(0)}`
  const warm = (w: Warm): string[] => [w.render.median.toFixed(1), w.render.min.toFixed(1), w.parseMs.toFixed(1), w.generateMs.toFixed(1)]
  const lines = rows.map((r) =>
    [r.apps, r.tasks, r.bodyMB.toFixed(1), ...warm(r.event), ...warm(r.fresh), r.processMs.toFixed(0), r.processMinMs.toFixed(0), pair(r.processCpuMs), r.peakRssMB.toFixed(1), r.configKB.toFixed(0)].map(String),
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
const nodeStart = await nodeStartMs()
const caBundle = process.env.NODE_EXTRA_CA_CERTS === undefined ? '' : ' (NODE_EXTRA_CA_CERTS is set: Node reads that CA bundle at every start)'
process.stdout.write(`${table(rows)}\n\nload average (1 min): ${load.before} before, ${load.after} after\n`)
process.stdout.write(`Node's own start (\`node -e 0\`, median), part of every process figure: ${nodeStart.toFixed(0)} ms${caBundle}\n`)
process.stdout.write(
  [
    'per event: warm render of one Marathon event as the daemon does it (every health check reported again, one task replaced, one health flip; unchanged apps reused)',
    'fresh: warm render of the whole state read afresh, nothing reused (a first read)',
    'process: a whole `mlb serve --dry` process against a local server (cold: nothing to reuse)',
    'targets at 5,000 apps: warm render <= 100 ms, process <= 700 ms, peak RSS <= 180 MB',
  ].join('\n') + '\n\n',
)
process.stdout.write(`${JSON.stringify({bench: 'render', runs: {inProcess: RUNS, warmup: WARMUP, process: PROCESS_RUNS}, load, nodeStartMs: Number(nodeStart.toFixed(1)), rows}, null, 2)}\n`)
