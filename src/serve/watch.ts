/**
 * How `mlb serve` watches Marathon: the event stream (or the poller) feeding the scheduler, so
 * the daemon only supplies "do a resync" / "do a reload" and gets single-flight, coalesced calls
 * of it. Resyncs happen at start, on every stream (re)connect, after routing events, on request
 * (SIGHUP) and periodically (behaviour §6.2–6.3, users-and-peers pain 8); the watcher also
 * answers `/health` and feeds the metrics.
 */
import type {Clock} from '../clock.js'
import type {Logger} from '../log.js'
import {EventStream, type EventStreamOptions, type EventStreamStatus} from '../marathon/events.js'
import {isRoutingEvent, type MarathonEvent} from '../marathon/event-types.js'
import type {HealthReport, Metrics, WatchFacts} from '../metrics.js'
import {Poller} from './poll.js'
import {Scheduler, type RunReport, type SchedulerStatus, type SchedulerTiming, type Work, type WorkOutcome} from './scheduler.js'

/** Stream settings the watcher passes through (clock and logger come from the watcher). */
export type StreamSettings = Omit<EventStreamOptions, 'clock' | 'logger'>

/** Events from Marathon's stream, or a resync every `intervalMs`. */
export type WatchSource = {readonly kind: 'events'; readonly stream: StreamSettings} | {readonly kind: 'poll'; readonly intervalMs: number}

/** Options of {@link Watcher}. */
export interface WatcherOptions {
  readonly source: WatchSource
  readonly clock: Clock
  readonly logger: Logger
  /** The daemon's work: `resync` fetches apps and regenerates, `reload` reloads the current config. */
  readonly run: (work: Work) => Promise<RunReport | void>
  readonly timing?: Partial<SchedulerTiming>
  readonly metrics?: Metrics
  /**
   * Event mode: `/health` turns unhealthy after this long without a byte on the stream
   * (default: the stall bound, after which the stream is abandoned anyway). Poll mode: after
   * three intervals without a successful resync.
   */
  readonly staleAfterMs?: number
}

/** Everything the daemon's status page needs. */
export interface WatchStatus {
  readonly mode: WatchSource['kind']
  readonly startedAt: number
  readonly stream: EventStreamStatus | undefined
  readonly scheduler: SchedulerStatus
}

const DEFAULT_STALL_MS = 30_000

/** Event stream or poller, scheduler, metrics and health in one start/stop unit. */
export class Watcher {
  private readonly opts: WatcherOptions
  private readonly scheduler: Scheduler
  private readonly stream: EventStream | undefined
  private readonly poller: Poller | undefined
  private startedAt: number
  private stalls = 0

  constructor(opts: WatcherOptions) {
    this.opts = opts
    this.startedAt = opts.clock.now()
    this.scheduler = new Scheduler({
      clock: opts.clock, logger: opts.logger, run: opts.run, onDone: (o) => this.done(o),
      ...(opts.timing === undefined ? {} : {timing: opts.timing}),
    })
    const src = opts.source
    if (src.kind === 'events') {
      this.stream = new EventStream({...src.stream, clock: opts.clock, logger: opts.logger}, {
        onEvent: (e) => this.onEvent(e),
        onConnect: () => this.scheduler.requestResync('connect'),
        onInvalid: () => opts.metrics?.eventsInvalid.inc(),
        onDisconnect: () => this.onDisconnect(),
      })
    } else {
      this.poller = new Poller({clock: opts.clock, intervalMs: src.intervalMs, onTick: () => this.scheduler.requestResync('poll')})
    }
    opts.metrics?.setWatchFacts(() => this.facts())
  }

  /** Starts watching with an immediate resync: the stream's connect resync follows it, covering events missed in between. */
  start(): void {
    this.startedAt = this.opts.clock.now()
    this.scheduler.start()
    this.scheduler.requestResync('startup')
    this.stream?.start()
    this.poller?.start()
    this.opts.logger.info('watching Marathon', {mode: this.opts.source.kind})
  }

  /** Stops the stream or poller, then waits for the running work. */
  async stop(): Promise<void> {
    this.poller?.stop()
    // The scheduler takes no new work from here on (synchronously), before the stream closes.
    const scheduler = this.scheduler.stop()
    await this.stream?.stop()
    await scheduler
  }

  /** SIGHUP: resync from Marathon and regenerate. */
  requestResync(reason = 'signal'): void {
    this.scheduler.requestResync(reason)
  }

  /** SIGUSR1: validate and reload the existing config without asking Marathon. */
  requestReload(reason = 'signal'): void {
    this.scheduler.requestReload(reason)
  }

  /** Resolves once no work is running or pending (tests, orderly shutdown). */
  idle(): Promise<void> {
    return this.scheduler.idle()
  }

  /** Current state. */
  status(): WatchStatus {
    return {mode: this.opts.source.kind, startedAt: this.startedAt, stream: this.stream?.status(), scheduler: this.scheduler.status()}
  }

  /** Scrape-time facts for the metrics. */
  facts(): WatchFacts {
    const s = this.stream?.status()
    return {
      connected: s?.connected, startedAt: this.startedAt, lastEventAt: s?.lastEventAt, lastActivityAt: s?.lastActivityAt,
      lastResyncAt: this.scheduler.status().lastResyncAt,
    }
  }

  /**
   * `/health`: healthy when a resync has succeeded and Marathon is being followed: the stream is
   * open and not silent for longer than the stale bound, or (poll mode) the last resync is
   * recent. The answer carries the facts behind the verdict.
   */
  health(): HealthReport {
    const now = this.opts.clock.now()
    const {stream, scheduler} = this.status()
    const secs = (at: number | undefined): number | null => (at === undefined ? null : Math.round((now - at) / 100) / 10)
    const base = {
      mode: this.opts.source.kind, secondsSinceLastResync: secs(scheduler.lastResyncAt), secondsSinceLastEvent: secs(stream?.lastEventAt),
      secondsSinceLastActivity: secs(stream?.lastActivityAt), connected: stream?.connected ?? null, url: stream?.url ?? null,
      reconnects: stream?.reconnects ?? 0, stalls: stream?.stalls ?? 0,
    }
    const problem = this.problem(now, stream, scheduler)
    return problem === undefined ? {healthy: true, ...base} : {healthy: false, reason: problem, ...base}
  }

  private problem(now: number, stream: EventStreamStatus | undefined, scheduler: SchedulerStatus): string | undefined {
    if (scheduler.lastResyncAt === undefined) return 'no successful resync yet'
    const src = this.opts.source
    if (src.kind === 'poll') {
      const bound = this.opts.staleAfterMs ?? 3 * src.intervalMs
      return now - scheduler.lastResyncAt > bound ? `no successful resync for more than ${bound / 1000} s` : undefined
    }
    if (stream === undefined || !stream.connected) return 'event stream not connected'
    const bound = this.opts.staleAfterMs ?? src.stream.stallTimeoutMs ?? DEFAULT_STALL_MS
    const last = stream.lastActivityAt ?? stream.connectedSince ?? now
    return now - last > bound ? `event stream silent for more than ${bound / 1000} s` : undefined
  }

  private onEvent(event: MarathonEvent): void {
    this.opts.metrics?.countEvent(event.eventType)
    const routing = isRoutingEvent(event)
    // behaviour §6.2 step 4: one line per event received.
    this.opts.logger.info(`received event of type ${event.eventType}`, {appId: event.appId, taskStatus: event.taskStatus, ignored: routing ? undefined : true})
    if (routing) this.scheduler.markDirty('event')
  }

  private onDisconnect(): void {
    this.opts.metrics?.streamReconnects.inc()
    const stalls = this.stream?.status().stalls ?? 0
    if (stalls > this.stalls) this.opts.metrics?.streamStalls.inc(stalls - this.stalls)
    this.stalls = stalls
  }

  private done(o: WorkOutcome): void {
    if (o.work.kind === 'resync') this.opts.metrics?.recordRegeneration(o.work.reasons, o.durationMs, o.error === undefined)
  }
}
