/**
 * The `mlb serve` daemon in-process for integration tests and benchmarks: marathon-lb flags
 * parsed as the CLI does, HAProxy on loopback free ports with a small maxconn, every path in one
 * temp folder, and an `haproxy` wrapper that counts `haproxy -c` runs. Always `await stop()`.
 */
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from 'undici'

import {parseArgs} from '../src/cli/argparse.js'
import {SERVE_FLAGS} from '../src/cli/serve-flags.js'
import {createLogger, MemoryLogger, type Logger, type LogRecord} from '../src/log.js'
import {startDaemon, type Daemon, type DaemonConfig} from '../src/serve/daemon.js'
import {serveOptionsFrom} from '../src/serve/options.js'
import {generateSelfSignedCert} from '../src/serve/container-cert.js'
import {freePorts, requireHaproxy} from './haproxy-harness.js'

/** A running test daemon. */
export interface TestDaemon {
  readonly daemon: Daemon
  readonly dir: string
  readonly configFile: string
  readonly pidFile: string
  readonly ports: {readonly http: number; readonly https: number; readonly appId: number; readonly stats: number; readonly metrics: number}
  readonly logger: MemoryLogger
  /** `haproxy -c` runs so far (through the wrapper). */
  checks(): Promise<number>
  /** GET through HAProxy: `http://127.0.0.1:<port><path>` with an optional Host header. */
  get(port: number, path?: string, host?: string): Promise<{status: number; body: string}>
  statsUrl(path: string): string
  stop(): Promise<void>
}

/** Options of {@link startTestDaemon}. */
export interface TestDaemonOptions {
  readonly marathon: readonly string[]
  /** Extra `mlb serve` arguments (marathon-lb flags and mlb's). */
  readonly args?: readonly string[]
  readonly config?: Partial<Omit<DaemonConfig, 'options' | 'env' | 'cwd' | 'logger'>>
  readonly hardStopAfterSeconds?: number
  /** Also print log lines to stderr (debugging). */
  readonly echo?: boolean
}

async function haproxyWrapper(dir: string): Promise<string> {
  const real = '/usr/sbin/haproxy'
  const path = join(dir, 'haproxy-counting')
  await writeFile(path, `#!/bin/sh\nfor a in "$@"; do if [ "$a" = "-c" ]; then echo c >> '${dir}/checks'; fi; done\nexec ${real} "$@"\n`)
  await chmod(path, 0o755)
  return path
}

/** Starts a daemon against `marathon` with everything on loopback in a temp folder. */
export async function startTestDaemon(opts: TestDaemonOptions): Promise<TestDaemon> {
  requireHaproxy()
  const dir = await mkdtemp(join(tmpdir(), 'mlb-daemon-'))
  const [http, https, appId, stats, metrics] = (await freePorts(5)) as [number, number, number, number, number]
  const bin = await haproxyWrapper(dir)
  // marathon_https_in binds with `ssl crt`: HAProxy needs a real certificate there.
  await generateSelfSignedCert(join(dir, 'cert.pem'))
  const argv = [
    '--marathon', ...opts.marathon, '--group', '*', '--haproxy-config', join(dir, 'haproxy.cfg'), '--syslog-socket', '/dev/null',
    '--haproxy-bin', bin, '--haproxy-run-dir', join(dir, 'run'), '--haproxy-state-dir', join(dir, 'state'),
    '--http-bind', `127.0.0.1:${http}`, '--https-bind', `127.0.0.1:${https}`, '--appid-bind', `127.0.0.1:${appId}`, '--stats-bind', `127.0.0.1:${stats}`,
    '--haproxy-maxconn', '4000', '--metrics-port', String(metrics), '--pid-file', join(dir, 'mlb.pid'), '--ssl-certs', join(dir, 'cert.pem'),
    '--hard-stop-after', String(opts.hardStopAfterSeconds ?? 15), '--reload-interval', '5', '--log-level', 'debug',
    ...(opts.args ?? []),
  ]
  const options = serveOptionsFrom(parseArgs(SERVE_FLAGS, argv), {})
  const logger = new MemoryLogger()
  const echo = createLogger({name: 'mlb', level: 'debug', format: '%(asctime)s %(message)s', sinks: [(line: string) => process.stderr.write(`${line}\n`)]})
  const log: Logger = opts.echo === true ? tee(logger, echo) : logger
  let daemon: Daemon
  try {
    daemon = await startDaemon({
      options, env: {}, cwd: dir, logger: log, archiveDir: dir, metricsHost: '127.0.0.1', softStopMs: 3000,
      ...opts.config,
    })
  } catch (err) {
    await rm(dir, {recursive: true, force: true})
    throw err
  }
  return {
    daemon, dir, logger, configFile: join(dir, 'haproxy.cfg'), pidFile: join(dir, 'mlb.pid'), ports: {http, https, appId, stats, metrics},
    checks: async () => (await readFile(join(dir, 'checks'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').length,
    get: async (port, path = '/', host) => {
      const res = await request(`http://127.0.0.1:${port}${path}`, {headers: {connection: 'close', ...(host ? {host} : {})}, reset: true, headersTimeout: 5000, bodyTimeout: 5000})
      return {status: res.statusCode, body: await res.body.text()}
    },
    statsUrl: (path) => `http://127.0.0.1:${stats}${path}`,
    stop: async () => {
      await daemon.stop()
      await rm(dir, {recursive: true, force: true})
    },
  }
}

function tee(a: Logger, b: Logger): Logger {
  return {
    debug: (m, f) => (a.debug(m, f), b.debug(m, f)),
    info: (m, f) => (a.info(m, f), b.info(m, f)),
    warn: (m, f) => (a.warn(m, f), b.warn(m, f)),
    error: (m, f) => (a.error(m, f), b.error(m, f)),
    child: (f) => tee(a.child(f), b.child(f)),
  }
}

export {until} from './wait.js'

/** Log messages matching `re`. */
export function logLines(logger: MemoryLogger, re: RegExp): LogRecord[] {
  return logger.records.filter((r) => re.test(r.msg))
}
