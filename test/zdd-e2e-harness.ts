/**
 * End-to-end bed for `mlb zdd` (issue 5): the Marathon simulator with real task processes, one or
 * more `mlb serve` daemons (each with its own real HAProxy, ports and temp folder) watching it,
 * the built CLI for `mlb zdd`, and a bounded load that records which app answered each request.
 * Everything binds loopback ports that were free, and `stop()` ends every process it started,
 * by pid (daemons, their HAProxy trees, the simulator and its task processes).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createServer} from 'node:http'
import {readFileSync, readdirSync} from 'node:fs'
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from 'undici'

import {isServerRow, parseHaproxyStats} from '../src/haproxy/stats.js'
import {generateSelfSignedCert} from '../src/serve/container-cert.js'
import {startSimulator, type Simulator, type SimulatorOptions} from '../src/sim/index.js'
import {BIN, ROOT, cleanEnv, missingBuild, runCli, type CliResult} from './cli-run.js'
import {freePorts, requireHaproxy} from './haproxy-harness.js'
import {startLoad, type LoadTotals} from './load-generator.js'
import {until as waitUntil} from './wait.js'

/** The vhost every test app is served under (marathon_http_in routes it by Host header). */
export const VHOST = 'zdd.e2e.test'

export {waitUntil}

/** Options of {@link bgApp}. */
export interface BgAppOptions {
  readonly instances: number
  readonly servicePort: number
  readonly altPort: number
  /** Marks the app definition (env `RELEASE`), so two deploys differ. */
  readonly release?: string
  readonly id?: string
  readonly group?: string
  readonly labels?: Readonly<Record<string, string>>
  /** Extra app fields (e.g. `taskKillGracePeriodSeconds`). */
  readonly extra?: Readonly<Record<string, unknown>>
}

/**
 * The zdd app JSON: fixtures/sim/nginx-bluegreen.json (BRIDGE, HTTP health check) with this
 * test's service and ALT ports, instance count and vhost.
 */
export function bgApp(o: BgAppOptions): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(ROOT, 'fixtures/sim/nginx-bluegreen.json'), 'utf8')) as Record<string, unknown> & {container: {portMappings: Record<string, unknown>[]}; labels: Record<string, string>}
  return {
    ...base,
    id: o.id ?? '/nginx',
    instances: o.instances,
    env: {RELEASE: o.release ?? 'v1'},
    container: {...base.container, portMappings: [{...base.container.portMappings[0], servicePort: o.servicePort}]},
    labels: {...base.labels, HAPROXY_DEPLOYMENT_GROUP: o.group ?? 'nginx', HAPROXY_DEPLOYMENT_ALT_PORT: String(o.altPort), HAPROXY_0_VHOST: VHOST, ...o.labels},
    ...o.extra,
  }
}

/** One server row of a backend on one load balancer. */
export interface ServerRow {
  readonly svname: string
  readonly status: string
  readonly scur: number
  readonly qcur: number
}

/** A running `mlb serve` daemon with its own HAProxy. */
export interface LbDaemon {
  readonly dir: string
  /** Base URL of the stats listener (marathon-lb's :9090), what `mlb zdd -l` takes. */
  readonly statsUrl: string
  /** Port of marathon_http_in (vhost routing). */
  readonly httpPort: number
  readonly pid: number
  /** Everything the daemon wrote to stderr so far (for failure messages). */
  output(): string
  /** Server rows of backend `pxname` now. */
  servers(pxname: string): Promise<ServerRow[]>
  stop(): Promise<void>
}

/** Pids of processes whose command line mentions `needle` (the HAProxy tree of one daemon's folder). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) out.push(Number(entry))
    } catch {
      // ended while we looked
    }
  }
  return out
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

async function getText(url: string, timeoutMs = 3000): Promise<string> {
  const res = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
  const text = await res.text()
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return text
}

/** Options of {@link startLbDaemon}. */
export interface LbDaemonOptions {
  readonly group?: string
  /** `--health-check` (default on: route only to tasks Marathon reports alive). */
  readonly healthCheck?: boolean
  readonly readyTimeoutMs?: number
}

/**
 * Starts `node bin/run.js serve` (the daemon) against `marathonUrl` with every listener on a free
 * loopback port and every file in a temp folder; resolves once its stats listener answers.
 */
export async function startLbDaemon(marathonUrl: string, opts: LbDaemonOptions = {}): Promise<LbDaemon> {
  requireHaproxy()
  const missing = missingBuild()
  if (missing !== undefined) throw new Error(missing)
  const dir = await mkdtemp(join(tmpdir(), 'mlb-zdd-lb-'))
  await mkdir(join(dir, 'run'))
  await mkdir(join(dir, 'state'))
  const [http, https, appid, stats] = (await freePorts(4)) as [number, number, number, number]
  // marathon_https_in binds with `ssl crt`: HAProxy needs a real certificate there.
  await generateSelfSignedCert(join(dir, 'cert.pem'))
  const args = [
    BIN, 'serve', '--marathon', marathonUrl, '--group', opts.group ?? '*',
    '--haproxy-config', join(dir, 'haproxy.cfg'), '--syslog-socket', '/dev/null',
    '--haproxy-run-dir', join(dir, 'run'), '--haproxy-state-dir', `${join(dir, 'state')}/`,
    '--http-bind', `127.0.0.1:${http}`, '--https-bind', `127.0.0.1:${https}`, '--appid-bind', `127.0.0.1:${appid}`,
    '--stats-bind', `127.0.0.1:${stats}`, '--haproxy-maxconn', '4000', '--pid-file', join(dir, 'mlb.pid'), '--metrics-port', '0',
    '--ssl-certs', join(dir, 'cert.pem'), '--hard-stop-after', '15',
    ...(opts.healthCheck === false ? [] : ['--health-check']),
  ]
  const child = spawn(process.execPath, args, {cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']})
  let output = ''
  child.stderr?.on('data', (c: Buffer) => {
    // Keep the tail only: a daemon logs every regeneration at DEBUG.
    output = (output + c.toString('utf8')).slice(-20_000)
  })
  const statsUrl = `http://127.0.0.1:${stats}`
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) killQuietly(child.pid, 'SIGTERM')
    if (!(await exited(child, 15_000)) && child.pid !== undefined) {
      killQuietly(child.pid, 'SIGKILL')
      await exited(child, 5000)
    }
    // Whatever of this daemon's HAProxy tree survived it (it names the folder in its arguments).
    for (const pid of pidsMentioning(dir)) killQuietly(pid, 'SIGKILL')
    await rm(dir, {recursive: true, force: true})
  }
  const daemon: LbDaemon = {
    dir,
    statsUrl,
    httpPort: http,
    pid: child.pid ?? 0,
    output: () => output,
    servers: async (pxname) =>
      parseHaproxyStats(await getText(`${statsUrl}/haproxy?stats;csv`))
        .filter((r) => r.pxname === pxname && isServerRow(r))
        .map((r) => ({svname: r.svname, status: r.status, scur: r.scur, qcur: r.qcur})),
    stop,
  }
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`mlb serve exited with ${child.exitCode}: ${output.slice(-2000)}`)
      await getText(`${statsUrl}/_haproxy_getpids`)
      return true
    }, opts.readyTimeoutMs ?? 30_000, `mlb serve's stats listener ${statsUrl}`)
  } catch (err) {
    await stop()
    throw new Error(`${String(err)}\nmlb serve's stderr (tail):\n${output.slice(-3000)}`)
  }
  return daemon
}

/** One `mlb zdd` run with `--output ndjson`: every stdout line parsed, the last one the result. */
export interface ZddRun extends CliResult {
  readonly events: readonly ZddLine[]
  readonly result: ZddLine
}

/** One NDJSON object of a zdd run. */
export type ZddLine = {readonly type: string} & Readonly<Record<string, unknown>>

/** Parses ndjson output; throws naming the line when one is not a JSON object with a `type`. */
export function parseNdjson(stdout: string): ZddLine[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const v = JSON.parse(l) as unknown
      if (v === null || typeof v !== 'object' || typeof (v as {type?: unknown}).type !== 'string') throw new Error(`not an event object: ${l}`)
      return v as ZddLine
    })
}

/** The test environment: a simulator, its load balancers and a temp folder for app files. */
export interface Bed {
  readonly sim: Simulator
  readonly lbs: readonly LbDaemon[]
  readonly dir: string
  readonly servicePort: number
  readonly altPort: number
  /** `-l` arguments for every load balancer. */
  lbArgs(): string[]
  /** Writes an app JSON file into the bed's folder and returns its path. */
  appFile(name: string, app: unknown): Promise<string>
  /** Runs `mlb zdd -m <sim or opts.marathon> <lbArgs unless opts.lbs is false> --syslog-socket /dev/null --output ndjson <args>`. */
  zdd(args: readonly string[], opts?: {timeoutMs?: number; ndjson?: boolean; lbs?: boolean; marathon?: string}): Promise<ZddRun>
  /**
   * Runs zdd as {@link Bed.zdd} (ndjson) and sends it `signal` once `when` matches its stdout so
   * far, or `when` ms after the start; resolves with the run (SIGKILLed after timeoutMs).
   */
  zddSignalled(args: readonly string[], when: RegExp | number, signal: NodeJS.Signals, timeoutMs?: number): Promise<ZddRun>
  /** Writes an executable file (a hook script). */
  script(name: string, text: string): Promise<string>
  stop(): Promise<void>
}

/** Options of {@link startBed}. */
export interface BedOptions {
  /** Number of `mlb serve` daemons (0: the simulator only). */
  readonly lbs: number
  /** This test file's own task-port range. */
  readonly taskPorts: {readonly min: number; readonly max: number}
  readonly sim?: Omit<SimulatorOptions, 'taskPorts'>
  readonly daemon?: LbDaemonOptions
}

/** Starts the simulator (fast task lifecycle by default) and `lbs` daemons watching it. */
export async function startBed(opts: BedOptions): Promise<Bed> {
  const sim = await startSimulator({stagingMs: 30, startingMs: 30, timeScale: 0.1, killTimeoutMs: 1000, ...opts.sim, taskPorts: opts.taskPorts})
  const dir = await mkdtemp(join(tmpdir(), 'mlb-zdd-e2e-'))
  const lbs: LbDaemon[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(lbs.map((lb) => lb.stop()))
    await sim.stop()
    await rm(dir, {recursive: true, force: true})
  }
  try {
    for (let i = 0; i < opts.lbs; i++) lbs.push(await startLbDaemon(sim.url, opts.daemon))
  } catch (err) {
    await stop()
    throw err
  }
  const [servicePort, altPort] = (await freePorts(2)) as [number, number]
  const lbArgs = (): string[] => lbs.flatMap((lb) => ['-l', lb.statsUrl])
  return {
    sim,
    lbs,
    dir,
    servicePort,
    altPort,
    lbArgs,
    appFile: async (name, app) => {
      const path = join(dir, name)
      await writeFile(path, JSON.stringify(app, null, 2))
      return path
    },
    script: async (name, text) => {
      const path = join(dir, name)
      await writeFile(path, text)
      await chmod(path, 0o755)
      return path
    },
    zdd: async (args, o = {}) => {
      const ndjson = o.ndjson ?? true
      const lbPart = o.lbs === false ? [] : lbArgs()
      const r = await runCli(['zdd', '-m', o.marathon ?? sim.url, ...lbPart, '--syslog-socket', '/dev/null', ...(ndjson ? ['--output', 'ndjson'] : []), ...args], {timeoutMs: o.timeoutMs ?? 60_000})
      const events = ndjson ? parseNdjson(r.stdout) : []
      return {...r, events, result: events[events.length - 1] ?? {type: 'none'}}
    },
    zddSignalled: (args, when, signal, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const started = performance.now()
        const child = spawn(process.execPath, [BIN, 'zdd', '-m', sim.url, ...lbArgs(), '--syslog-socket', '/dev/null', '--output', 'ndjson', ...args], {cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']})
        let stdout = ''
        let stderr = ''
        let sent = false
        const delayed = typeof when === 'number' ? setTimeout(() => child.kill(signal), when) : undefined
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString('utf8')
          if (!sent && typeof when !== 'number' && when.test(stdout)) {
            sent = true
            child.kill(signal)
          }
        })
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
        child.once('error', (err) => {
          clearTimeout(timer)
          reject(err)
        })
        child.once('close', (code, sig) => {
          clearTimeout(timer)
          clearTimeout(delayed)
          try {
            const events = parseNdjson(stdout)
            resolve({code, signal: sig, stdout, stderr, ms: performance.now() - started, events, result: events[events.length - 1] ?? {type: 'none'}})
          } catch (err) {
            reject(err)
          }
        })
      }),
    stop,
  }
}

/** The backend (and stats pxname) of a deployment group served on `port` (marathon-lb's naming). */
export function groupBackend(group: string, port: number): string {
  return `${group.replace(/^\//, '').replace(/\//g, '_')}_${port}`
}

/** Waits until every load balancer's rows of `pxname` satisfy `pred`. */
export async function waitForServers(lbs: readonly LbDaemon[], pxname: string, pred: (rows: readonly ServerRow[]) => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(async () => (await Promise.all(lbs.map(async (lb) => pred(await lb.servers(pxname))))).every(Boolean), timeoutMs, what, 100)
}

/** `n` servers, all UP (and none in maintenance). */
export function allUp(n: number): (rows: readonly ServerRow[]) => boolean {
  return (rows) => rows.length === n && rows.every((r) => r.status === 'UP')
}

/** What a {@link VersionLoad} saw, over every load balancer. */
export interface VersionTotals {
  readonly requests: number
  readonly ok: number
  /** Non-2xx answers plus connection errors. */
  readonly failed: number
  /** Answers per task `appId`. */
  readonly byApp: Readonly<Record<string, number>>
  /** 2xx answers whose body was not a task's JSON. */
  readonly unidentified: number
  readonly perLb: readonly LoadTotals[]
}

/** Load through several load balancers that tallies answers by the task's `appId`. */
export interface VersionLoad {
  /** Answers per appId so far. */
  byApp(): Readonly<Record<string, number>>
  /** Resolves when every loop reached its bound. */
  done(): Promise<VersionTotals>
  stop(): Promise<VersionTotals>
}

/**
 * Sends GET requests with `Host: VHOST` to each LB's marathon_http_in, `concurrency` loops per LB,
 * one connection per request, until `durationMs` or `maxRequests` (per LB) or stop().
 */
export function startVersionLoad(lbs: readonly LbDaemon[], o: {concurrency: number; durationMs: number; maxRequests?: number}): VersionLoad {
  const byApp: Record<string, number> = {}
  let unidentified = 0
  const onBody = (status: number, body: string): void => {
    if (status < 200 || status > 299) return
    try {
      const appId = (JSON.parse(body) as {appId?: unknown}).appId
      if (typeof appId === 'string') {
        byApp[appId] = (byApp[appId] ?? 0) + 1
        return
      }
    } catch {
      // counted below
    }
    unidentified++
  }
  const runs = lbs.map((lb) =>
    startLoad({url: `http://127.0.0.1:${lb.httpPort}/`, concurrency: o.concurrency, keepAlive: false, durationMs: o.durationMs, ...(o.maxRequests === undefined ? {} : {maxRequests: o.maxRequests}), headers: {host: VHOST}, onBody}),
  )
  const totals = (perLb: LoadTotals[]): VersionTotals => {
    const sum = (f: (t: LoadTotals) => number): number => perLb.reduce((a, t) => a + f(t), 0)
    return {requests: sum((t) => t.requests), ok: sum((t) => t.ok2xx), failed: sum((t) => t.non2xx + t.errors), byApp: {...byApp}, unidentified, perLb}
  }
  return {
    byApp: () => ({...byApp}),
    done: async () => totals(await Promise.all(runs.map((r) => r.done))),
    stop: async () => totals(await Promise.all(runs.map((r) => r.stop()))),
  }
}

/** Sends `n` requests through each LB and tallies them by appId (a bounded sample). */
export function sampleVersions(lbs: readonly LbDaemon[], n: number, concurrency = 2): Promise<VersionTotals> {
  return startVersionLoad(lbs, {concurrency, durationMs: 30_000, maxRequests: n}).done()
}

/** Mutating calls a client made to the simulator (anything but GET), as `METHOD path`. */
export function writes(sim: Simulator): string[] {
  return sim.calls().filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)
}

/** The bed's app JSON for `instances` tasks of deployment group `nginx` (release `release`). */
export function bedApp(bed: Bed, instances: number, release: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return bgApp({instances, servicePort: bed.servicePort, altPort: bed.altPort, release, extra})
}

/** Backend of the bed's app on every LB (`nginx_<servicePort>`). */
export function bedBackend(bed: Bed): string {
  return groupBackend('nginx', bed.servicePort)
}

/**
 * zdd's first deploy of `app` (creates `<id>-blue`), then waits until Marathon has deployed it and
 * every load balancer serves its instances UP. Returns the app file.
 */
export async function firstDeployServed(bed: Bed, app: Record<string, unknown>, timeoutMs = 60_000): Promise<string> {
  const file = await bed.appFile('app-v1.json', app)
  const r = await bed.zdd(['-j', file, '-f'])
  if (r.code !== 0 || r.result['outcome'] !== 'first-deploy') throw new Error(`first deploy failed (${String(r.code)}): ${r.stdout}${r.stderr}`)
  await bed.sim.waitForDeployments(timeoutMs)
  await waitForServers(bed.lbs, bedBackend(bed), allUp(Number(app['instances'])), timeoutMs, `${String(app['instances'])} UP servers on every LB`)
  return file
}

/** Task ids killed through `POST /v2/tasks/delete` (zdd's scale-down kills). */
export function killedTaskIds(sim: Simulator): string[] {
  return sim.calls({method: 'POST', path: '/v2/tasks/delete'}).flatMap((c) => ((c.body ?? {}) as {ids?: string[]}).ids ?? [])
}

/** A Marathon in front of the simulator that refuses chosen calls (see {@link startFaultyMarathon}). */
export interface FaultyMarathon {
  readonly url: string
  close(): Promise<void>
}

/**
 * A pass-through proxy to `target` (the simulator) that answers `503 {"message": …}` to the calls
 * `refuse(method, path)` picks, as a Marathon failing one kind of request would: the simulator's
 * own faults hit the next N requests of any client, including the load balancers.
 */
export async function startFaultyMarathon(target: string, refuse: (method: string, path: string) => boolean): Promise<FaultyMarathon> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const method = req.method ?? 'GET'
      const path = req.url ?? '/'
      if (refuse(method, path.split('?')[0] ?? path)) {
        res.writeHead(503, {'content-type': 'application/json'})
        res.end(JSON.stringify({message: `refused by the test proxy: ${method} ${path}`}))
        return
      }
      const body = chunks.length === 0 ? null : Buffer.concat(chunks)
      request(`${target}${path}`, {method: method as 'GET', headers: {'content-type': req.headers['content-type'] ?? 'application/json'}, body})
        .then(async (up) => {
          const text = Buffer.from(await up.body.arrayBuffer())
          res.writeHead(up.statusCode, {'content-type': String(up.headers['content-type'] ?? 'application/json')})
          res.end(text)
        })
        .catch((err: unknown) => {
          res.writeHead(502)
          res.end(String(err))
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('proxy has no port')
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
