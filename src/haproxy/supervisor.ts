/**
 * Starts and supervises HAProxy in master-worker mode (issue 4 "Driving HAProxy"; spec §2.2).
 *
 * Command line: `haproxy -W -S <master socket>,mode,600 -f <config> -p <pid file>`. HAProxy 2.6
 * passes the listening sockets to the new worker by itself in master-worker mode: the master
 * re-executes as `haproxy -sf <old> -x sockpair@3 …` (verified), so neither `-x` nor
 * `expose-fd listeners` is needed (users-and-peers §4). The master's environment carries
 * MLB_PID_FILE so the Lua signal services can find mlb (spec §7, §10.28).
 *
 * The master is restarted with exponential backoff if it dies; `stop()` soft-stops it (SIGUSR1:
 * old connections finish, bounded by `hard-stop-after`) and escalates to SIGTERM, then SIGKILL.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'
import type {Clock} from '../clock.js'
import {withoutCredentials} from '../credential-env.js'
import {HaproxyError, errorMessage} from '../errors.js'
import type {Logger} from '../log.js'
import {readPidFile} from '../pid-file.js'
import {showProc, showProcSettled} from './master.js'
import type {ProcEntry, ProcTable} from './proc.js'
import {waitFor} from './wait.js'
import {OldWorkerTracker, type DrainingWorker} from './old-workers.js'

/** Backoff of automatic restarts. */
export interface RestartPolicy {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  /** A master that ran this long resets the backoff. */
  readonly resetAfterMs: number
}

/** Options of {@link HaproxySupervisor}. */
export interface SupervisorOptions {
  /** Absolute path of the configuration (`-f`); the Lua services read it and its folder. */
  readonly configFile: string
  /** Master CLI socket path (`-S`, mode 600). */
  readonly masterSocket: string
  /** HAProxy's own pid file (`-p`): the master's pid. */
  readonly pidFile: string
  /** mlb's pid file, exported to HAProxy as MLB_PID_FILE. */
  readonly mlbPidFile?: string
  readonly haproxyBin?: string
  /** Extra environment for HAProxy (on top of mlb's). */
  readonly env?: Readonly<Record<string, string>>
  readonly clock: Clock
  readonly logger: Logger
  /** Bound on start-up: master CLI answering with a worker (default 10 s). */
  readonly startTimeoutMs?: number
  /** How long a soft stop may take before SIGTERM (default 10 s). */
  readonly softStopMs?: number
  readonly restart?: Partial<RestartPolicy>
  /**
   * `--hard-stop-after`: an old worker draining longer than this is stopped (SIGTERM) by the
   * supervisor, since the default HEAD cannot carry the directive (old-workers.ts). 0: no bound.
   */
  readonly hardStopAfterMs?: number
  /** How often `show proc` is read for old workers (default min(5 s, bound / 4)). */
  readonly workerWatchMs?: number
  /** Called with every `show proc` the watch reads (metrics). */
  readonly onWorkers?: (status: HaproxyStatus, draining: readonly DrainingWorker[]) => void
}

/** A worker as reported to callers: age in seconds, reloads survived. */
export interface WorkerInfo {
  readonly pid: number
  readonly ageSec: number
  readonly reloads: number
}

/** What `status()` reports. */
export interface HaproxyStatus {
  readonly masterPid: number
  readonly reloads: number
  readonly failedReloads: number
  readonly workers: readonly WorkerInfo[]
  /** Workers still draining after a reload (bounded by `hard-stop-after`). */
  readonly oldWorkers: readonly WorkerInfo[]
  /** How many times the supervisor restarted a dead master. */
  readonly restarts: number
}

const DEFAULT_RESTART: RestartPolicy = {initialDelayMs: 500, maxDelayMs: 30_000, resetAfterMs: 60_000}

/**
 * How a master is stopped: each signal, then how long to wait for it to exit before the next
 * (default soft-stop bound 10 s). Also bounds the stop of a master an earlier mlb left (serve/instance.ts).
 */
export function stopSteps(softStopMs = 10_000): ReadonlyArray<readonly [NodeJS.Signals, number]> {
  return [['SIGUSR1', softStopMs], ['SIGTERM', 5000], ['SIGKILL', 5000]]
}

function workerInfo(p: ProcEntry): WorkerInfo {
  return {pid: p.pid, ageSec: p.uptimeSec, reloads: p.reloads}
}

/** Supervises one HAProxy master. */
export class HaproxySupervisor {
  private readonly opts: SupervisorOptions
  private readonly restartPolicy: RestartPolicy
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private stopping = false
  // Restarts happen only after a first successful start: a failing start() is the caller's.
  private supervising = false
  private restartTimer: {cancel(): void} | undefined
  private delayMs: number
  private startedAt = 0
  private restartCount = 0
  private watchTimer: {cancel(): void} | undefined
  private tracker: OldWorkerTracker | undefined

  constructor(options: SupervisorOptions) {
    this.opts = options
    this.restartPolicy = {...DEFAULT_RESTART, ...options.restart}
    this.delayMs = this.restartPolicy.initialDelayMs
  }

  /** Pid of the running master, if any. */
  get masterPid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined
  }

  /** Times a dead master was restarted. */
  get restarts(): number {
    return this.restartCount
  }

  /** Starts HAProxy and resolves once the master CLI reports a worker; throws HaproxyError. */
  async start(): Promise<ProcTable> {
    this.stopping = false
    if (this.masterPid !== undefined) return showProcSettled(this.opts.masterSocket, {clock: this.opts.clock})
    const table = await this.spawnMaster()
    this.supervising = true
    this.armWatch()
    return table
  }

  private watchEveryMs(): number | undefined {
    const bound = this.opts.hardStopAfterMs ?? 0
    if (this.opts.workerWatchMs !== undefined) return this.opts.workerWatchMs
    if (bound > 0) return Math.max(100, Math.min(5000, bound / 4))
    return this.opts.onWorkers === undefined ? undefined : 5000
  }

  private armWatch(): void {
    const every = this.watchEveryMs()
    if (every === undefined || this.stopping) return
    this.tracker ??= new OldWorkerTracker(this.opts.hardStopAfterMs ?? 0)
    this.watchTimer = this.opts.clock.timer(every, () => {
      this.watchTimer = undefined
      this.checkWorkers().finally(() => this.armWatch())
    })
  }

  /** Reads `show proc`, reports workers, stops old workers past `hardStopAfterMs`. Never throws. */
  async checkWorkers(): Promise<readonly DrainingWorker[]> {
    if (this.masterPid === undefined) return []
    let table: ProcTable
    try {
      table = await showProc(this.opts.masterSocket, {clock: this.opts.clock})
    } catch {
      return [] // the master is re-executing (reload) or restarting: next time
    }
    const tracker = (this.tracker ??= new OldWorkerTracker(this.opts.hardStopAfterMs ?? 0))
    const report = tracker.observe(table, this.opts.clock.monotonic())
    this.opts.onWorkers?.(this.statusOf(table), report.draining)
    if ((this.opts.hardStopAfterMs ?? 0) <= 0) return report.draining
    for (const w of report.overdue) {
      try {
        process.kill(w.pid, 'SIGTERM')
        this.opts.logger.warn('stopped an old HAProxy worker past --hard-stop-after', {pid: w.pid, drainingSec: Math.round(w.drainingSec), uptimeSec: w.uptimeSec})
      } catch (err) {
        this.opts.logger.debug('old HAProxy worker already gone', {pid: w.pid, error: errorMessage(err)})
      }
    }
    return report.draining
  }

  private async spawnMaster(): Promise<ProcTable> {
    const o = this.opts
    const args = ['-W', '-S', `${o.masterSocket},mode,600`, '-f', o.configFile, '-p', o.pidFile]
    const env = {...withoutCredentials(process.env), ...o.env, ...(o.mlbPidFile ? {MLB_PID_FILE: o.mlbPidFile} : {})}
    // A master an earlier mlb left answers on the socket path until ours binds it: its `show proc`
    // must not pass for ours starting (the daemon soft-stops it once ours serves).
    const previousPid = await readPidFile(o.pidFile)
    const child = spawn(o.haproxyBin ?? 'haproxy', args, {stdio: ['ignore', 'pipe', 'pipe'], env})
    this.child = child
    this.startedAt = o.clock.monotonic()
    const tail: string[] = []
    const log = o.logger.child({component: 'haproxy'})
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({input: stream!}).on('line', (line) => {
        tail.push(line)
        if (tail.length > 20) tail.shift()
        if (line.startsWith('[ALERT]')) log.error(line)
        else if (line.startsWith('[WARNING]')) log.warn(line)
        else log.debug(line)
      })
    }
    let spawnError: string | undefined
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        spawnError = e.message
      })
      child.on('close', (code, signal) => {
        resolve()
        this.onExit(child, code, signal)
      })
    })
    const ready = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null || spawnError !== undefined) return 'exited' as const
        try {
          const t = await showProc(o.masterSocket, {clock: o.clock, timeoutMs: 1000})
          const previous = t.master.pid === previousPid && t.master.pid !== child.pid
          return t.workers.length > 0 && !previous ? t : undefined
        } catch {
          return undefined
        }
      },
      {clock: o.clock, timeoutMs: o.startTimeoutMs ?? 10_000, intervalMs: 50},
    )
    if (ready === undefined || ready === 'exited') {
      const why = spawnError !== undefined ? `${spawnError} (install it: apt-get install -y haproxy)` : tail.join('\n')
      if (ready === undefined) child.kill('SIGKILL')
      throw new HaproxyError(`HAProxy did not start: ${why}`, {code: 'MLB_ERR_HAPROXY_START'})
    }
    log.info('haproxy started', {masterPid: ready.master.pid, worker: ready.workers[0]?.pid})
    return ready
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return
    this.child = undefined
    if (this.stopping || !this.supervising) return
    const ranMs = this.opts.clock.monotonic() - this.startedAt
    if (ranMs >= this.restartPolicy.resetAfterMs) this.delayMs = this.restartPolicy.initialDelayMs
    const delay = this.delayMs
    this.delayMs = Math.min(this.delayMs * 2, this.restartPolicy.maxDelayMs)
    this.opts.logger.error('haproxy master exited, restarting', {code, signal, delayMs: delay})
    this.restartTimer = this.opts.clock.timer(delay, () => {
      this.restartTimer = undefined
      if (this.stopping) return
      this.restartCount++
      this.spawnMaster().catch((err: unknown) => {
        // onExit of that failed child schedules the next attempt with a longer delay.
        this.opts.logger.error('haproxy restart failed', {error: errorMessage(err)})
      })
    })
  }

  /** Master, workers and old workers with their ages, from `show proc`. */
  async status(): Promise<HaproxyStatus> {
    // Asked during a reload (the master re-executing), it waits for the master instead of
    // failing; with no master running (stopped, or waiting to restart) it fails at once.
    const read = this.masterPid === undefined ? showProc : showProcSettled
    return this.statusOf(await read(this.opts.masterSocket, {clock: this.opts.clock}))
  }

  private statusOf(t: ProcTable): HaproxyStatus {
    return {
      masterPid: t.master.pid,
      reloads: t.master.reloads,
      failedReloads: t.master.failedReloads,
      workers: t.workers.map(workerInfo),
      oldWorkers: t.oldWorkers.map(workerInfo),
      restarts: this.restartCount,
    }
  }

  /**
   * Stops HAProxy and any pending restart: SIGUSR1 (soft stop), SIGTERM after `softStopMs`,
   * SIGKILL 5 s later. Resolves once the master has exited.
   */
  async stop(): Promise<void> {
    this.stopping = true
    this.supervising = false
    this.watchTimer?.cancel()
    this.watchTimer = undefined
    this.restartTimer?.cancel()
    this.restartTimer = undefined
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const clock = this.opts.clock
    const exited = this.exited
    for (const [sig, waitMs] of stopSteps(this.opts.softStopMs)) {
      child.kill(sig)
      const timer = new AbortController()
      const gone = await Promise.race([exited.then(() => true), clock.sleep(waitMs, timer.signal).then(() => false, () => false)])
      timer.abort()
      if (gone) return
      this.opts.logger.warn('haproxy did not stop in time, escalating', {signal: sig, waitMs})
    }
  }
}
