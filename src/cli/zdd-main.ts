/**
 * `mlb zdd` behind the thin command: read the world once (flags, app file, terminal), build the
 * edges (Marathon client, load balancer HTTP, DNS, hook runner, prompt, logger, reporter) and
 * run src/zdd. Returns the exit status; never calls process.exit.
 */
import {resolve4} from 'node:dns/promises'
import {readFile} from 'node:fs/promises'

import {systemClock, type Clock} from '../clock.js'
import {InvalidArgError, MlbError, errorMessage} from '../errors.js'
import {createLogger, parseLogLevel, stderrSink, type LogRecord} from '../log.js'
import {createSyslogSink} from '../log-syslog.js'
import {authFromFlags} from '../marathon/auth.js'
import {MarathonClient} from '../marathon/client.js'
import type {Reporter} from '../zdd/events.js'
import {processHookRunner} from '../zdd/hook.js'
import {HttpLbClient, resolveLbUrls} from '../zdd/lb.js'
import {MarathonZddApi} from '../zdd/marathon.js'
import {createServerNaming} from '../zdd/naming.js'
import {StreamPrompter, yesPrompter} from '../zdd/prompt.js'
import {runZdd, type ZddRunOptions} from '../zdd/run.js'
import type {ZddFlagValues} from './zdd-flags.js'
import {ListrReporter} from './zdd-listr.js'
import {NdjsonReporter, PlainReporter, type Write} from './zdd-report.js'

/** The process edges the CLI uses (injectable for tests). */
export interface ZddIo {
  readonly stdout: Write
  readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  readonly stdoutStream: NodeJS.WritableStream & {isTTY?: boolean}
  readonly clock?: Clock
  readonly signal?: AbortSignal
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new InvalidArgError(`argument ${flag} is required`)
  return value
}

async function loadAppJson(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new InvalidArgError(`--json: cannot read ${path}: ${errorMessage(err)}`, {cause: err})
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new InvalidArgError(`--json: ${path} is not valid JSON: ${errorMessage(err)}`, {cause: err})
  }
}

function pickReporter(flags: ZddFlagValues, io: ZddIo, interactive: boolean): Reporter {
  if (flags.output === 'ndjson') return new NdjsonReporter(io.stdout)
  return interactive && process.env['NO_COLOR'] === undefined ? new ListrReporter(io.stdout) : new PlainReporter(io.stdout)
}

/** Checks flags that need more than oclif's parser (required-ness keeps zdd.py's messages). */
function checkFlags(flags: ZddFlagValues): {marathon: string; lbs: readonly string[]; json: string} {
  const marathon = required(flags.marathon, '--marathon/-m')
  const lbs = flags['marathon-lb'] ?? []
  if (lbs.length === 0) throw new InvalidArgError('argument --marathon-lb/-l is required')
  return {marathon, lbs, json: required(flags.json, '--json/-j')}
}

/** Runs `mlb zdd`; resolves with the exit status. Usage problems are exit 3. */
export async function runZddCli(flags: ZddFlagValues, io: ZddIo): Promise<number> {
  const clock = io.clock ?? systemClock
  const level = parseLogLevel(flags['log-level'])
  if (level === undefined) throw new InvalidArgError(`Invalid log level: ${flags['log-level'].toUpperCase()}`)
  const {marathon, lbs, json} = checkFlags(flags)
  const appJson = await loadAppJson(json)
  const syslog = createSyslogSink({socket: flags['syslog-socket'], tag: 'zdd', clock})
  const sinks: ((line: string, rec: LogRecord) => void)[] = [stderrSink]
  if (syslog !== undefined) sinks.push(syslog.write)
  const logger = createLogger({name: 'zdd', level, format: flags['log-format'], sinks, now: () => clock.now()})
  const caCertPath = flags['marathon-ca-cert']
  // zdd.py verified Marathon's certificate (requests' default): so does mlb zdd, against
  // --marathon-ca-cert or else the system's CAs. Its credentials go to that endpoint.
  const withoutCaCert = 'system-cas'
  const auth = await authFromFlags(
    {credentialFile: flags['marathon-auth-credential-file'], credentials: flags['auth-credentials'], dcosCredentials: flags['dcos-auth-credentials']},
    {caCertPath, withoutCaCert, clock, logger},
  )
  const client = new MarathonClient({urls: [marathon], auth, caCertPath, withoutCaCert, logger, userAgent: 'mlb zdd'})
  const interactive = io.stdin.isTTY === true && io.stdoutStream.isTTY === true
  const naming = createServerNaming((host) => resolve4(host))
  const opts: ZddRunOptions = {
    appJson,
    dryRun: flags['dry-run'],
    resume: flags.resume,
    force: flags.force,
    initialInstances: flags['initial-instances'],
    newInstances: flags['new-instances'],
    linearIncrease: flags['linear-increase'],
    stepDelayMs: flags['step-delay'] * 1000,
    maxWaitMs: flags['max-wait'] * 1000,
    completeCur: flags['complete-cur'],
    completePrev: flags['complete-prev'],
    preKillHook: flags['pre-kill-hook'],
    interactive,
    serverName: naming.serverName,
  }
  try {
    const result = await runZdd(opts, {
      marathon: new MarathonZddApi(client),
      lb: new HttpLbClient(),
      lbUrls: () => resolveLbUrls(lbs, (host) => resolve4(host)),
      prepareNames: naming.prepare,
      hook: processHookRunner,
      prompter: flags.force ? yesPrompter : new StreamPrompter(io.stdin, io.stdoutStream),
      clock,
      reporter: pickReporter(flags, io, interactive),
      logger,
      signal: io.signal,
    })
    return result.exit
  } finally {
    await client.close()
    await syslog?.close()
  }
}

/** Exit status and one-line message for an error thrown before the run started. */
export function startupFailure(err: unknown): {exit: number; message: string} {
  if (err instanceof MlbError) return {exit: err.exit, message: err.message}
  return {exit: 2, message: `unexpected error: ${errorMessage(err)}`}
}
