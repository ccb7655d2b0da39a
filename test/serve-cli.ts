/**
 * The built `mlb serve` as a child process, for the tests that need the real CLI (signals, the
 * pid file and run dir of one daemon): a folder with a certificate and loopback ports, the flags
 * that put everything there, and the child with its JSON log lines. Needs `npm run build`.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {generateSelfSignedCert} from '../src/serve/container-cert.js'
import {startSimulator, type Simulator} from '../src/sim/index.js'
import {BIN, cleanEnv, missingBuild} from './cli-run.js'
import {freePorts, requireHaproxy} from './haproxy-harness.js'

/** One log line of `--log-format json` (a line that is not JSON becomes its `msg`). */
export interface ServeLine {
  readonly msg: string
  readonly [k: string]: unknown
}

/** A running (or exited) `mlb serve` child. */
export interface ServeChild {
  readonly child: ChildProcess
  readonly lines: ServeLine[]
  /** Raw stderr so far. */
  stderr: string
  readonly exited: Promise<number | null>
}

/** A temp folder with `cert.pem` and five free loopback ports for one daemon. */
export interface ServeFolder {
  readonly dir: string
  readonly ports: {readonly http: number; readonly https: number; readonly appId: number; readonly stats: number; readonly metrics: number}
}

/**
 * Checks the build and HAProxy, then starts a simulator (on the file's own port ranges) with one
 * app, `/web` at vhost `web.test`, and waits for its task to run.
 */
export async function startWebSimulator(ranges: {servicePorts: {min: number; max: number}; taskPorts: {min: number; max: number}}): Promise<Simulator> {
  const missing = missingBuild()
  if (missing !== undefined) throw new Error(missing)
  requireHaproxy()
  const sim = await startSimulator({...ranges, apps: {apps: [{id: '/web', cmd: 'x', instances: 1, labels: {HAPROXY_0_VHOST: 'web.test'}, portDefinitions: [{port: 0}]}]}})
  await sim.waitFor(() => sim.tasks('/web').some((x) => x.state === 'TASK_RUNNING'), 10_000)
  return sim
}

export async function makeServeFolder(prefix: string): Promise<ServeFolder> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await generateSelfSignedCert(join(dir, 'cert.pem'))
  const [http, https, appId, stats, metrics] = (await freePorts(5)) as [number, number, number, number, number]
  return {dir, ports: {http, https, appId, stats, metrics}}
}

/** `mlb serve` flags that keep every file in the folder and bind only its loopback ports, logging JSON. */
export function serveArgs(marathon: string, {dir, ports}: ServeFolder): string[] {
  return [
    '--marathon', marathon, '--group', '*', '--haproxy-config', join(dir, 'haproxy.cfg'), '--syslog-socket', '/dev/null',
    '--haproxy-run-dir', join(dir, 'run'), '--haproxy-state-dir', join(dir, 'state'), '--pid-file', join(dir, 'mlb.pid'), '--ssl-certs', join(dir, 'cert.pem'),
    '--http-bind', `127.0.0.1:${ports.http}`, '--https-bind', `127.0.0.1:${ports.https}`, '--appid-bind', `127.0.0.1:${ports.appId}`, '--stats-bind', `127.0.0.1:${ports.stats}`,
    '--haproxy-maxconn', '4000', '--metrics-port', String(ports.metrics), '--log-format', 'json',
  ]
}

/** Starts `mlb serve <args>` in `cwd` with a clean environment; stderr is collected line by line. */
export function spawnServe(args: readonly string[], cwd: string): ServeChild {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {cwd, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']})
  const m: ServeChild = {child, lines: [], stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code)))}
  createInterface({input: child.stderr!}).on('line', (l) => {
    m.stderr += `${l}\n`
    try {
      m.lines.push(JSON.parse(l) as ServeLine)
    } catch {
      m.lines.push({msg: l})
    }
  })
  return m
}
