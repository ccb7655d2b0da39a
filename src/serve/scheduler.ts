/**
 * The regeneration scheduler of `mlb serve` (behaviour §6.3, style rule 7): events only mark
 * state dirty; one loop runs the injected work at most once at a time. A burst of events becomes
 * one resync after a quiet period, bounded by a maximum delay so a steady stream cannot starve
 * updates; anything requested while work runs becomes exactly one follow-up; a resync swallows a
 * pending reload; a periodic resync covers missed events. Every wait goes through the Clock.
 */
import type {Clock, TimerHandle} from '../clock.js'
import {errorMessage} from '../errors.js'
import type {Logger} from '../log.js'

/** What one run does: a full resync from Marathon, or a reload of the existing config (SIGUSR1). */
export type WorkKind = 'resync' | 'reload'

/** One unit of work handed to the runner. */
export interface Work {
  readonly kind: WorkKind
  /** Distinct reasons coalesced into this run (`event`, `connect`, `signal`, `periodic`, …). */
  readonly reasons: readonly string[]
  /** Requests coalesced into this run. */
  readonly requests: number
  /** Milliseconds from the oldest coalesced request to the start of the run. */
  readonly waitedMs: number
}

/** How a run ended, for metrics and logs. */
export interface WorkOutcome {
  readonly work: Work
  readonly durationMs: number
  /** The runner's error, when it threw. */
  readonly error?: unknown
}

/** Coalescing parameters, in milliseconds. */
export interface SchedulerTiming {
  /** A marked state is worked on once no new mark came for this long. */
  readonly quietMs: number
  /** …but never later than this after the first mark. */
  readonly maxDelayMs: number
  /** Event-driven runs start at least this far apart (bounds a storm of spaced bursts). */
  readonly minIntervalMs: number
  /** Full resync after this long without one (marathon-lb: 300 s); 0 disables. */
  readonly resyncIntervalMs: number
  /** After a failed resync, try again this much later; 0 waits for the next request. */
  readonly retryMs: number
  /**
   * Quiet period after a cheap run (one that did not reload: a runtime-API apply or no change),
   * with no minimum interval: a task's RUNNING event that follows its scale request need not
   * wait out a throttle meant for reloads. A run that reloads brings the normal timing back,
   * so a reload is always preceded by a normal wait since the previous one.
   */
  readonly cheapQuietMs: number
}

/**
 * Defaults. The quiet period is short because the budget from a task event to traffic is
 * 250 ms at p99, regeneration and reload included; the maximum delay of 1 s keeps a storm of
 * 1,000 events in 10 s at about 10 runs (Traefik throttles at 2 s, users-and-peers §4).
 */
export const DEFAULT_TIMING: SchedulerTiming = {quietMs: 100, maxDelayMs: 1_000, minIntervalMs: 250, resyncIntervalMs: 300_000, retryMs: 5_000, cheapQuietMs: 20}

/** What a run may tell the scheduler about itself. */
export interface RunReport {
  /** HAProxy was reloaded (or may have been): the next event-driven run keeps the normal timing. */
  readonly reloaded: boolean
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  readonly clock: Clock
  readonly logger: Logger
  /** The work itself; never runs concurrently with itself. No report counts as a reload. */
  readonly run: (work: Work) => Promise<RunReport | void>
  readonly timing?: Partial<SchedulerTiming>
  /** Called after every run (metrics). */
  readonly onDone?: (outcome: WorkOutcome) => void
}

/** A snapshot of the scheduler. */
export interface SchedulerStatus {
  readonly running: WorkKind | undefined
  readonly pendingResync: boolean
  readonly pendingReload: boolean
  readonly runs: number
  /** `clock.now()` of the end of the last successful resync. */
  readonly lastResyncAt: number | undefined
}

interface Pending {
  readonly reasons: Map<string, number>
  /** Monotonic time of the first and the last request. */
  first: number
  last: number
  /** Set by an explicit request: run as soon as the loop is free. */
  urgent: boolean
}

/** Single-flight, coalescing runner of resyncs and reloads. */
export class Scheduler {
  private readonly opts: SchedulerOptions
  private readonly timing: SchedulerTiming
  private resync: Pending | undefined
  private reload: Pending | undefined
  private running: WorkKind | undefined
  private current: Promise<void> | undefined
  private wake: TimerHandle | undefined
  private periodic: TimerHandle | undefined
  private lastEventRunAt = Number.NEGATIVE_INFINITY
  /** The last run did not reload: the short quiet period applies. */
  private lastRunCheap = false
  private runs = 0
  private lastResyncAt: number | undefined
  private stopped = false
  private idleWaiters: Array<() => void> = []

  constructor(opts: SchedulerOptions) {
    this.opts = opts
    this.timing = {...DEFAULT_TIMING, ...opts.timing}
  }

  /** Arms the periodic resync. Nothing runs until something is requested. */
  start(): void {
    this.armPeriodic()
  }

  /** An event that may change routing: coalesced with its neighbours. */
  markDirty(reason = 'event'): void {
    this.resync = this.add(this.resync, reason, false)
    this.schedule()
  }

  /** A full resync as soon as possible (connect, SIGHUP, poll tick, periodic). */
  requestResync(reason: string): void {
    this.resync = this.add(this.resync, reason, true)
    this.schedule()
  }

  /** Validate and reload the existing config (SIGUSR1); a pending resync swallows it. */
  requestReload(reason: string): void {
    this.reload = this.add(this.reload, reason, true)
    this.schedule()
  }

  /** Current state. */
  status(): SchedulerStatus {
    return {running: this.running, pendingResync: this.resync !== undefined, pendingReload: this.reload !== undefined, runs: this.runs, lastResyncAt: this.lastResyncAt}
  }

  /** Resolves once nothing is running or pending. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Cancels timers and pending work, then waits for the running work to end. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.cancel()
    this.periodic?.cancel()
    this.resync = undefined
    this.reload = undefined
    await this.current
    this.notifyIdle()
  }

  private isIdle(): boolean {
    return this.running === undefined && this.resync === undefined && this.reload === undefined
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.stopped) return
    for (const w of this.idleWaiters.splice(0)) w()
  }

  private add(p: Pending | undefined, reason: string, urgent: boolean): Pending | undefined {
    if (this.stopped) return undefined
    const now = this.opts.clock.monotonic()
    const pending = p ?? {reasons: new Map<string, number>(), first: now, last: now, urgent: false}
    pending.reasons.set(reason, (pending.reasons.get(reason) ?? 0) + 1)
    pending.last = now
    pending.urgent ||= urgent
    return pending
  }

  /** When the pending resync is due: at once if urgent, else after the quiet period (bounded). */
  private resyncDue(p: Pending): number {
    if (p.urgent) return p.first
    if (this.lastRunCheap) return Math.min(p.last + this.timing.cheapQuietMs, p.first + this.timing.maxDelayMs)
    const due = Math.min(p.last + this.timing.quietMs, p.first + this.timing.maxDelayMs)
    return Math.max(due, this.lastEventRunAt + this.timing.minIntervalMs)
  }

  private schedule(): void {
    if (this.stopped || this.running !== undefined) return
    this.wake?.cancel()
    this.wake = undefined
    const due = this.resync !== undefined ? this.resyncDue(this.resync) : this.reload?.first
    if (due === undefined) return this.notifyIdle()
    const wait = due - this.opts.clock.monotonic()
    if (wait <= 0) {
      this.current = this.runNext()
      return
    }
    this.wake = this.opts.clock.timer(wait, () => this.schedule())
  }

  private take(): Work | undefined {
    const now = this.opts.clock.monotonic()
    const p = this.resync ?? this.reload
    if (p === undefined) return undefined
    const kind: WorkKind = this.resync !== undefined ? 'resync' : 'reload'
    // behaviour §6.3: reading both flags at once, a resync swallows a pending reload.
    if (kind === 'resync' && this.reload !== undefined) p.reasons.set('reload', (p.reasons.get('reload') ?? 0) + 1)
    this.resync = undefined
    this.reload = undefined
    if (kind === 'resync' && !p.urgent) this.lastEventRunAt = now
    let requests = 0
    for (const n of p.reasons.values()) requests += n
    return {kind, reasons: [...p.reasons.keys()], requests, waitedMs: now - p.first}
  }

  private async runNext(): Promise<void> {
    const work = this.take()
    if (work === undefined) return
    const {clock, logger} = this.opts
    this.running = work.kind
    this.runs++
    const t0 = clock.monotonic()
    let error: unknown
    let failed = false
    this.lastRunCheap = false
    try {
      const report = await this.opts.run(work)
      this.lastRunCheap = report !== undefined && !report.reloaded
    } catch (err) {
      failed = true
      error = err
      // Stopping aborts a Marathon request in flight (daemon.ts): that failure is the stop's doing.
      if (this.stopped) logger.info(`${work.kind} abandoned: stopping`, {error: errorMessage(err)})
      else logger.error(`${work.kind} failed`, {error: errorMessage(err), reasons: work.reasons.join(',')})
    }
    const durationMs = clock.monotonic() - t0
    this.running = undefined
    if (!failed) logger.info(`${work.kind} done`, {reasons: work.reasons.join(','), requests: work.requests, waitedMs: Math.round(work.waitedMs), durationMs: Math.round(durationMs)})
    if (work.kind === 'resync') this.afterResync(failed)
    try {
      this.opts.onDone?.(failed ? {work, durationMs, error} : {work, durationMs})
    } catch (err) {
      logger.error('scheduler onDone hook failed', {error: errorMessage(err)})
    }
    this.schedule()
  }

  private afterResync(failed: boolean): void {
    if (!failed) this.lastResyncAt = this.opts.clock.now()
    this.armPeriodic()
    if (failed && this.timing.retryMs > 0 && !this.stopped) {
      this.periodic?.cancel()
      this.periodic = this.opts.clock.timer(this.timing.retryMs, () => this.fireResync('retry'))
    }
  }

  private armPeriodic(): void {
    this.periodic?.cancel()
    this.periodic = undefined
    if (this.stopped || this.timing.resyncIntervalMs <= 0) return
    this.periodic = this.opts.clock.timer(this.timing.resyncIntervalMs, () => this.fireResync('periodic'))
  }

  private fireResync(reason: string): void {
    this.periodic = undefined
    // The resync this starts re-arms the timer when it ends (afterResync).
    this.requestResync(reason)
  }
}
