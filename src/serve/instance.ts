/**
 * One daemon per pid file and HAProxy run dir (docs/serve.md "Start-up"). Before touching
 * anything, `mlb serve` refuses to start next to a running `mlb serve` named by its --pid-file,
 * and looks for the HAProxy master an earlier mlb left running (mlb killed with SIGKILL: Node has
 * no parent-death signal). A second master on the same ports would share them through
 * SO_REUSEPORT and answer about half the requests with its stale configuration, so the daemon
 * soft-stops that orphan once its own HAProxy serves ({@link stopOrphanMaster}).
 *
 * Processes are identified through /proc (Linux): the parsers and classifiers are pure, the
 * readers at the bottom do the I/O. A process that cannot be positively identified is left alone.
 */
import {readFile, readlink} from 'node:fs/promises'
import {dirname, isAbsolute, resolve} from 'node:path'

import type {Clock} from '../clock.js'
import {MlbError} from '../errors.js'
import {stopSteps} from '../haproxy/supervisor.js'
import type {Logger} from '../log.js'
import {readPidFile} from '../pid-file.js'
import {acquireInstanceLock, type InstanceLock} from './instance-lock.js'

/** A live process as /proc shows it. */
export interface ProcInfo {
  readonly pid: number
  readonly ppid: number
  /** Start time in clock ticks after boot: with the pid, it names one process for its whole life. */
  readonly startTime: string
  readonly argv: readonly string[]
  /** Target of /proc/<pid>/exe; undefined when unreadable (another user's process). */
  readonly exe?: string | undefined
  readonly cwd?: string | undefined
  /** Environment, when asked for and readable. */
  readonly env?: ReadonlyMap<string, string> | undefined
}

/** Absolute paths a supervised HAProxy master of this daemon is started with (supervisor.ts). */
export interface MasterFiles {
  readonly masterSocket: string
  readonly pidFile: string
}

/** What the HAProxy pid file of the run dir names. */
export type PreviousMaster =
  | {readonly kind: 'none'}
  | {readonly kind: 'orphan'; readonly pid: number; readonly startTime: string}
  | {readonly kind: 'owned'; readonly pid: number; readonly owner: number}
  | {readonly kind: 'unidentified'; readonly pid: number; readonly reason: string}

/** /proc/<pid>/cmdline (or environ) → its NUL-separated entries; a process title leaves NUL padding. */
export function parseNulList(raw: string): string[] {
  return raw.split('\0').filter((a) => a !== '')
}

/** /proc/<pid>/stat → state, parent and start time. The command name may hold spaces and parentheses. */
export function parseStat(raw: string): {state: string; ppid: number; startTime: string} | undefined {
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ')
  // After the name: state (field 3), ppid (4), …, starttime (22).
  const [state, ppid, startTime] = [fields[0], Number(fields[1]), fields[19]]
  if (state === undefined || state === '' || !Number.isInteger(ppid) || startTime === undefined || !/^\d+$/.test(startTime)) return undefined
  return {state, ppid, startTime}
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/**
 * True for the command line of a running `mlb serve`: the process title mlb sets (`mlb serve`,
 * which replaces the whole command line), or `serve` right after mlb's entry point
 * (`…/bin/run.js`, or the installed `…/mlb`), as in `node /opt/mlb/bin/run.js serve …`.
 */
export function isMlbServe(argv: readonly string[]): boolean {
  if (argv[0] === 'mlb serve') return true
  return argv.some((arg, i) => {
    if (argv[i + 1] !== 'serve') return false
    const parts = arg.split('/')
    return parts.at(-1) === 'mlb' || (parts.at(-1) === 'run.js' && parts.at(-2) === 'bin')
  })
}

/** True when the program is HAProxy (its executable, else its argv[0], is named haproxy…). */
export function isHaproxy(p: Pick<ProcInfo, 'argv' | 'exe'>): boolean {
  return baseName(p.exe ?? p.argv[0] ?? '').startsWith('haproxy')
}

/**
 * The master socket (`-S <path>,…`) and pid file (`-p`) of an HAProxy command line, resolved
 * against its working folder. The 2.6 master re-executes as `haproxy -sf … -x … -W -S …`.
 */
export function masterFilesOf(argv: readonly string[], cwd: string | undefined): Partial<MasterFiles> {
  const abs = (v: string | undefined): string | undefined =>
    v === undefined || v === '' ? undefined : isAbsolute(v) ? resolve(v) : cwd === undefined ? undefined : resolve(cwd, v)
  const valueOf = (flag: string): string | undefined => {
    const i = argv.lastIndexOf(flag)
    return i < 0 ? undefined : argv[i + 1]
  }
  const masterSocket = abs(valueOf('-S')?.split(',')[0])
  const pidFile = abs(valueOf('-p'))
  return {...(masterSocket === undefined ? {} : {masterSocket}), ...(pidFile === undefined ? {} : {pidFile})}
}

/** True for a master-worker HAProxy started with exactly these files. */
export function isMasterOf(p: ProcInfo, files: MasterFiles): boolean {
  if (!isHaproxy(p) || !p.argv.includes('-W')) return false
  const f = masterFilesOf(p.argv, p.cwd)
  return f.masterSocket === files.masterSocket && f.pidFile === files.pidFile
}

/**
 * What a live process named by the run dir's HAProxy pid file is. `parent` is its parent process,
 * `ownerPid` the pid in the file its MLB_PID_FILE names (the mlb that started it), `self` our pid.
 */
export function classifyMaster(p: ProcInfo, parent: ProcInfo | undefined, ownerPid: number | undefined, files: MasterFiles, self: number): PreviousMaster {
  // Another program, or an HAProxy of other files: the pid was reused, it is nobody's orphan.
  if (!isMasterOf(p, files)) return {kind: 'none'}
  if (parent !== undefined && parent.pid !== self) {
    if (isMasterOf(parent, files)) return {kind: 'unidentified', pid: p.pid, reason: 'it is a worker, not a master'}
    if (isMlbServe(parent.argv) || parent.pid === ownerPid) return {kind: 'owned', pid: p.pid, owner: parent.pid}
  }
  if (p.env === undefined) return {kind: 'unidentified', pid: p.pid, reason: 'its environment is not readable'}
  if (!p.env.has('MLB_PID_FILE')) return {kind: 'unidentified', pid: p.pid, reason: 'it was not started by mlb (no MLB_PID_FILE)'}
  return {kind: 'orphan', pid: p.pid, startTime: p.startTime}
}

const PROC = '/proc'

/** The process `pid` if it is alive (a zombie is not), with its environment when `withEnv`. */
export async function readProcess(pid: number, withEnv = false): Promise<ProcInfo | undefined> {
  const dir = `${PROC}/${pid}`
  const [statText, cmdline] = await Promise.all([readFile(`${dir}/stat`, 'utf8'), readFile(`${dir}/cmdline`, 'utf8')].map((r) => r.catch(() => undefined)))
  const stat = statText === undefined ? undefined : parseStat(statText)
  if (stat === undefined || cmdline === undefined || stat.state === 'Z' || stat.state === 'X') return undefined
  const [exe, cwd, environ] = await Promise.all([
    readlink(`${dir}/exe`).catch(() => undefined),
    readlink(`${dir}/cwd`).catch(() => undefined),
    withEnv ? readFile(`${dir}/environ`, 'utf8').catch(() => undefined) : undefined,
  ])
  const env = environ === undefined ? undefined : new Map(parseNulList(environ).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
  return {pid, ppid: stat.ppid, startTime: stat.startTime, argv: parseNulList(cmdline), exe, cwd, env}
}

/** The pid of another live `mlb serve` that `pidFile` names, if any (a stale file gives undefined). */
export async function runningMlb(pidFile: string): Promise<number | undefined> {
  const pid = await readPidFile(pidFile)
  if (pid === undefined || pid === process.pid) return undefined
  const p = await readProcess(pid)
  return p !== undefined && isMlbServe(p.argv) ? pid : undefined
}

/** Reads and classifies the HAProxy master the run dir's pid file names. */
export async function previousMaster(files: MasterFiles): Promise<PreviousMaster> {
  const pid = await readPidFile(files.pidFile)
  const p = pid === undefined || pid === process.pid ? undefined : await readProcess(pid, true)
  if (p === undefined) return {kind: 'none'}
  const parent = await readProcess(p.ppid)
  const mlbPidFile = p.env?.get('MLB_PID_FILE')
  const ownerPid = mlbPidFile === undefined || p.cwd === undefined ? undefined : await readPidFile(resolve(p.cwd, mlbPidFile))
  return classifyMaster(p, parent, ownerPid, files, process.pid)
}

/** Where {@link claimInstance} looks. */
export interface InstanceFiles {
  /** mlb's --pid-file. */
  readonly pidFile: string
  /** The supervised HAProxy's files (absolute); undefined with `--command` (HAProxy is not ours). */
  readonly haproxy: MasterFiles | undefined
}

/** What {@link claimInstance} holds and found. */
export interface ClaimedInstance {
  /** Held for the daemon's life: a second daemon starting meanwhile is refused (instance-lock.ts). */
  readonly lock: InstanceLock
  /** The HAProxy master an earlier mlb left, if any. */
  readonly orphan: Extract<PreviousMaster, {kind: 'orphan'}> | undefined
}

/**
 * Refuses to start (MlbError, exit 1) next to a running or starting mlb: one that holds our pid
 * file or run dir (the lock), one named by our pid file, or one still running the run dir's
 * HAProxy. Otherwise holds the lock and returns the HAProxy master an earlier mlb left, if any.
 */
export async function claimInstance(files: InstanceFiles, logger: Logger): Promise<ClaimedInstance> {
  const runDir = files.haproxy === undefined ? undefined : dirname(files.haproxy.pidFile)
  const locked = await acquireInstanceLock([{kind: 'pid-file', path: resolve(files.pidFile)}, ...(runDir === undefined ? [] : [{kind: 'run-dir' as const, path: runDir}])])
  if ('taken' in locked) {
    const running = await runningMlb(files.pidFile)
    if (locked.taken.kind === 'pid-file' || running !== undefined) throw alreadyRunning(files.pidFile, running)
    throw new MlbError(`another mlb serve uses the HAProxy run dir ${locked.taken.path}; stop it first or give another --haproxy-run-dir`, {code: 'MLB_ERR_RUNNING'})
  }
  try {
    return {lock: locked.lock, orphan: await previousInstance(files, logger)}
  } catch (err) {
    await locked.lock.release()
    throw err
  }
}

function alreadyRunning(pidFile: string, pid: number | undefined): MlbError {
  const what = pid === undefined ? `another mlb serve is starting with pid file ${pidFile}` : `mlb serve is already running with pid file ${pidFile} (pid ${pid})`
  return new MlbError(`${what}; stop it first or give another --pid-file`, {code: 'MLB_ERR_RUNNING'})
}

/** The checks behind the lock, through the files: a live mlb, or the HAProxy master of the run dir. */
async function previousInstance(files: InstanceFiles, logger: Logger): Promise<Extract<PreviousMaster, {kind: 'orphan'}> | undefined> {
  const running = await runningMlb(files.pidFile)
  if (running !== undefined) throw alreadyRunning(files.pidFile, running)
  if (files.haproxy === undefined) return undefined
  const previous = await previousMaster(files.haproxy)
  switch (previous.kind) {
    case 'none':
      return undefined
    case 'orphan':
      return previous
    case 'owned':
      throw new MlbError(`the HAProxy master ${previous.pid} named by ${files.haproxy.pidFile} is run by another mlb serve (pid ${previous.owner}); stop it first or give another --haproxy-run-dir`, {code: 'MLB_ERR_RUNNING'})
    case 'unidentified':
      logger.warn('leaving alone the HAProxy process named by the HAProxy pid file', {pid: previous.pid, pidFile: files.haproxy.pidFile, reason: previous.reason})
      return undefined
    default:
      return previous satisfies never
  }
}

/** Polling interval while an orphan master drains. */
const GONE_POLL_MS = 100

/** True once `orphan` is gone (or the pid now names another process). */
async function gone(orphan: {pid: number; startTime: string}): Promise<boolean> {
  const p = await readProcess(orphan.pid)
  return p === undefined || p.startTime !== orphan.startTime
}

/**
 * Stops the master an earlier mlb left, once ours serves: SIGUSR1 (soft stop: its listeners
 * close, its connections finish), escalated as the supervisor's own stop (SIGTERM after
 * `softStopMs`, SIGKILL 5 s later). Before each signal the pid is checked to still name that
 * process. Never throws; logs one line, plus one per escalation.
 */
export async function stopOrphanMaster(orphan: {pid: number; startTime: string}, deps: {clock: Clock; logger: Logger; softStopMs?: number | undefined}): Promise<void> {
  const {clock, logger} = deps
  logger.info('stopping the HAProxy master an earlier mlb left running (soft stop)', {pid: orphan.pid})
  try {
    for (const [signal, waitMs] of stopSteps(deps.softStopMs)) {
      if (await gone(orphan)) return
      process.kill(orphan.pid, signal)
      const until = clock.monotonic() + waitMs
      while (clock.monotonic() < until) {
        await clock.sleep(GONE_POLL_MS)
        if (await gone(orphan)) return
      }
      logger.warn('the HAProxy master an earlier mlb left did not stop in time, escalating', {pid: orphan.pid, signal, waitMs})
    }
  } catch (err) {
    // ESRCH: it exited between the check and the signal.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') logger.warn('could not stop the HAProxy master an earlier mlb left', {pid: orphan.pid, error: String(err)})
  }
}
