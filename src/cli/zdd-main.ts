/**
 * `mlb zdd` behind the thin command: read the world once (flags, app file, terminal), build the
 * edges (Marathon client, load balancer HTTP, DNS, hook runner, prompt, logger, reporter) and
 * run src/zdd. Returns the exit status; never calls process.exit, and never throws: a failure
 * before the run is reported like the run's own (docs/zdd.md, Output and Exit codes).
 */
import {lookup} from 'node:dns/promises'
import {readFile} from 'node:fs/promises'

import {systemClock, type Clock} from '../clock.js'
import {InvalidArgError, MarathonEndpointError, MlbError, errorMessage} from '../errors.js'
import {createLogger, parseLogLevel, stderrSink, type LogRecord, type Logger} from '../log.js'
import {createSyslogSink} from '../log-syslog.js'
import {authFromFlags} from '../marathon/auth.js'
import {MarathonClient} from '../marathon/client.js'
import {parseMarathonUrl} from '../marathon/marathon-url.js'
import type {Reporter} from '../zdd/events.js'
import {processHookRunner} from '../zdd/hook.js'
import {stripNulls} from '../zdd/json.js'
import {HttpLbClient, resolveLbUrls} from '../zdd/lb.js'
import {MarathonZddApi} from '../zdd/marathon.js'
import {createServerNaming} from '../zdd/naming.js'
import {StreamPrompter, yesPrompter} from '../zdd/prompt.js'
import {runZdd, type ZddRunDeps, type ZddRunOptions} from '../zdd/run.js'
import type {ServerNamer} from '../zdd/state.js'
import type {ZddFlagValues} from './zdd-flags.js'
import {ListrReporter} from './zdd-listr.js'
import {NdjsonReporter, PlainReporter, type Write} from './zdd-report.js'

/** The process edges the CLI uses (injectable for tests). */
export interface ZddIo {
  readonly stdout: Write
  /** Progress lines without a terminal, and start-up errors (default: process.stderr). */
  readonly stderr?: Write
  readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  readonly stdoutStream: NodeJS.WritableStream & {isTTY?: boolean}
  readonly clock?: Clock
  readonly signal?: AbortSignal
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new InvalidArgError(`argument ${flag} is required`)
  return value
}

/**
 * The app definition of `--json`, nulls stripped recursively (spec §8.3 step 1: a null label is a
 * missing label, and null fields are not sent to Marathon).
 */
export async function loadAppJson(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new InvalidArgError(`--json: cannot read ${path}: ${errorMessage(err)}`, {cause: err})
  }
  try {
    return stripNulls(JSON.parse(text) as unknown)
  } catch (err) {
    // V8 quotes part of the text (`Unexpected token 'x', "{"env": …"… is not valid JSON`): an
    // app's env may hold secrets, and this message reaches CI logs, so the quote is left out.
    throw new InvalidArgError(`--json: ${path} is not valid JSON: ${jsonSyntaxError(err)}`, {cause: err})
  }
}

/** JSON.parse's reason without V8's quote of the text (`Unexpected token 'x', "…" is not valid JSON`). */
function jsonSyntaxError(err: unknown): string {
  const message = errorMessage(err)
  if (!message.endsWith(' is not valid JSON')) return message
  return /^Unexpected token '.'(?=, )/s.exec(message)?.[0] ?? 'Unexpected token'
}

/**
 * Every IPv4 address getaddrinfo gives for `host`, as zdd.py's `gethostbyname_ex`: /etc/hosts
 * included (`localhost`), which `dns.resolve4` (DNS queries only) misses. Duplicates dropped:
 * each address is one load balancer.
 */
export async function lookupIpv4(host: string): Promise<string[]> {
  const addrs = await lookup(host, {all: true, family: 4})
  return [...new Set(addrs.map((a) => a.address))]
}

function pickReporter(flags: ZddFlagValues, io: ZddIo, interactive: boolean): Reporter {
  if (flags.output === 'ndjson') return new NdjsonReporter(io.stdout)
  if (interactive && process.env['NO_COLOR'] === undefined) return new ListrReporter(io.stdout)
  // zdd.py's stdout held only the final app definition (scripts capture it): progress goes to stderr.
  return new PlainReporter(stderrOf(io), io.stdout)
}

function stderrOf(io: ZddIo): Write {
  return io.stderr ?? ((text) => void process.stderr.write(text))
}

/** Checks flags that need more than oclif's parser (required-ness keeps zdd.py's messages). */
function checkFlags(flags: ZddFlagValues): {marathon: string; lbs: readonly string[]; json: string} {
  const marathon = required(flags.marathon, '--marathon/-m')
  const lbs = flags['marathon-lb'] ?? []
  if (lbs.length === 0) throw new InvalidArgError('argument --marathon-lb/-l is required')
  return {marathon, lbs, json: required(flags.json, '--json/-j')}
}

/** zdd.py failed its first request on a bad `-m` (a requests exception): exit 6, not serve's 1. */
function checkMarathonUrl(raw: string): void {
  try {
    parseMarathonUrl(raw)
  } catch (err) {
    // parseMarathonUrl's message already hides any user info.
    throw new MarathonEndpointError(`--marathon: ${errorMessage(err)}`, {cause: err})
  }
}

interface Prepared {
  readonly opts: ZddRunOptions
  readonly deps: ZddRunDeps
  close(): Promise<void>
}

/** The Marathon client with the credentials of the flags (precedence: file > user:pass > DC/OS). */
async function marathonClient(flags: ZddFlagValues, marathon: string, clock: Clock, logger: Logger): Promise<MarathonClient> {
  const caCertPath = flags['marathon-ca-cert']
  // zdd.py verified Marathon's certificate (requests' default): so does mlb zdd, against
  // --marathon-ca-cert or else the system's CAs. Its credentials go to that endpoint.
  const withoutCaCert = 'system-cas'
  const auth = await authFromFlags(
    {credentialFile: flags['marathon-auth-credential-file'], credentials: flags['auth-credentials'], dcosCredentials: flags['dcos-auth-credentials']},
    {caCertPath, withoutCaCert, clock, logger},
  )
  return new MarathonClient({urls: [marathon], auth, caCertPath, withoutCaCert, logger, userAgent: 'mlb zdd'})
}

function runOptions(flags: ZddFlagValues, appJson: unknown, interactive: boolean, serverName: ServerNamer): ZddRunOptions {
  return {
    appJson,
    dryRun: flags['dry-run'],
    resume: flags.resume,
    force: flags.force,
    initialInstances: flags['initial-instances'],
    newInstances: flags['new-instances'],
    linearIncrease: flags['linear-increase'],
    stepDelayMs: flags['step-delay'] * 1000,
    maxWaitMs: flags['max-wait'] * 1000,
    deployTimeoutMs: flags['deploy-timeout'] * 1000,
    completeCur: flags['complete-cur'],
    completePrev: flags['complete-prev'],
    preKillHook: flags['pre-kill-hook'],
    interactive,
    serverName,
  }
}

/** Reads the flags and the app file and builds the run's edges; throws what ends the run early. */
async function prepare(flags: ZddFlagValues, io: ZddIo, clock: Clock): Promise<Prepared> {
  const level = parseLogLevel(flags['log-level'])
  if (level === undefined) throw new InvalidArgError(`Invalid log level: ${flags['log-level'].toUpperCase()}`)
  const {marathon, lbs, json} = checkFlags(flags)
  const appJson = await loadAppJson(json)
  checkMarathonUrl(marathon)
  const syslog = createSyslogSink({socket: flags['syslog-socket'], tag: 'zdd', clock})
  const sinks: ((line: string, rec: LogRecord) => void)[] = [stderrSink]
  if (syslog !== undefined) sinks.push(syslog.write)
  const logger = createLogger({name: 'zdd', level, format: flags['log-format'], sinks, now: () => clock.now()})
  let client: MarathonClient
  try {
    client = await marathonClient(flags, marathon, clock, logger)
  } catch (err) {
    await syslog?.close()
    throw err
  }
  const interactive = io.stdin.isTTY === true && io.stdoutStream.isTTY === true
  const naming = createServerNaming(lookupIpv4)
  const deps: ZddRunDeps = {
    marathon: new MarathonZddApi(client),
    lb: new HttpLbClient(),
    lbUrls: () => resolveLbUrls(lbs, lookupIpv4),
    prepareNames: naming.prepare,
    hook: processHookRunner,
    prompter: flags.force ? yesPrompter : new StreamPrompter(io.stdin, io.stdoutStream),
    clock,
    reporter: pickReporter(flags, io, interactive),
    logger,
    signal: io.signal,
  }
  const close = async (): Promise<void> => {
    await client.close()
    await syslog?.close()
  }
  return {opts: runOptions(flags, appJson, interactive, naming.serverName), deps, close}
}

/**
 * Runs `mlb zdd`; resolves with the exit status. A failure before the run starts prints its
 * reason on stderr and, with `--output ndjson`, the same result line a run ends with.
 */
export async function runZddCli(flags: ZddFlagValues, io: ZddIo): Promise<number> {
  const clock = io.clock ?? systemClock
  const started = clock.monotonic()
  let prepared: Prepared
  try {
    prepared = await prepare(flags, io, clock)
  } catch (err) {
    const failure = startupFailure(err)
    stderrOf(io)(`zdd: error: ${failure.message}\n`)
    if (flags.output === 'ndjson') {
      const {exit, message, code} = failure
      const durationMs = Math.round(clock.monotonic() - started)
      await new NdjsonReporter(io.stdout).finish({type: 'result', time: clock.now(), outcome: 'failed', exit, message, code, durationMs})
    }
    return failure.exit
  }
  try {
    return (await runZdd(prepared.opts, prepared.deps)).exit
  } finally {
    await prepared.close()
  }
}

/** Exit status, one-line message (no credentials) and error code for an error thrown before the run started. */
export function startupFailure(err: unknown): {exit: number; message: string; code: string} {
  if (err instanceof MlbError) return {exit: err.exit, message: err.message, code: err.code}
  return {exit: 2, message: `unexpected error: ${errorMessage(err)}`, code: 'MLB_ERR_ZDD_UNEXPECTED'}
}
