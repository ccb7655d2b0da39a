/**
 * Marathon's `/v2/events` stream as typed events plus "connected" signals, kept alive for
 * months: mlb owns reconnection (back-off with jitter, reset after a stable period), a stall
 * watchdog over every received byte (Marathon's heartbeat is a bare line every 10 s,
 * marathon-api §7.2), leader following and failover across `--marathon` hosts. Every (re)connect
 * is reported so the caller resyncs (behaviour §6.2 step 3, users-and-peers pain 8).
 */
import {EventSource, type FetchLike} from 'eventsource'
import type {Agent} from 'undici'

import type {Clock} from '../clock.js'
import {errorMessage} from '../errors.js'
import type {Logger} from '../log.js'
import {redactUrl} from '../redact.js'
import {Backoff, DEFAULT_BACKOFF, type BackoffOptions} from './event-backoff.js'
import {createStreamAgent, createStreamFetch, findLeaderUrl, lookupLeader, type AuthorizationProvider} from './event-fetch.js'
import {parseMarathonUrl} from './marathon-url.js'
import {eventsPath, parseEventData, SUBSCRIBED_EVENT_TYPES, type MarathonEvent} from './event-types.js'
import {StreamWatchdog} from './event-watchdog.js'

/** Options of {@link EventStream}. */
export interface EventStreamOptions {
  /** `--marathon` base URLs, in order (a path prefix such as `/marathon` is kept). */
  readonly urls: readonly string[]
  /** Authorization header provider (e.g. `MarathonClient.authorization`). */
  readonly authorization?: AuthorizationProvider
  /** `--marathon-ca-cert`. */
  readonly caCertPath?: string
  readonly clock: Clock
  readonly logger: Logger
  /** Event types to subscribe to (default {@link SUBSCRIBED_EVENT_TYPES}). */
  readonly eventTypes?: readonly string[]
  /** Reconnect back-off (default {@link DEFAULT_BACKOFF}; `maxMs` is `--max-backoff`). */
  readonly backoff?: BackoffOptions
  /** Bound on connecting and on the response headers (marathon-lb: 10 s connect timeout). */
  readonly connectTimeoutMs?: number
  /** Silence (no byte at all) after which the stream is abandoned (default 30 s = 3 heartbeats). */
  readonly stallTimeoutMs?: number
  /** Ask `/v2/leader` before connecting when several URLs are given (default true). */
  readonly followLeader?: boolean
  readonly userAgent?: string
  /** Random source for the jitter (tests pin it). */
  readonly random?: () => number
}

/** What the stream reports. */
export interface EventStreamHandlers {
  /** A parsed event of a subscribed type. */
  readonly onEvent: (event: MarathonEvent) => void
  /** The stream is open on `url`: state may have been missed, resync now. */
  readonly onConnect: (url: string) => void
  /** A message that could not be parsed (already logged). */
  readonly onInvalid?: (reason: string) => void
  /** The stream ended; the next attempt comes after `delayMs`. */
  readonly onDisconnect?: (url: string, reason: string, delayMs: number) => void
}

/** A snapshot for `/health` and metrics. Times are `clock.now()` milliseconds. */
export interface EventStreamStatus {
  readonly connected: boolean
  /** The host the stream is (or was last) open on, without credentials. */
  readonly url: string | undefined
  readonly connectedSince: number | undefined
  /** Last byte received (event or heartbeat). */
  readonly lastActivityAt: number | undefined
  /** Last event parsed. */
  readonly lastEventAt: number | undefined
  /** Streams that ended and were reopened or retried. */
  readonly reconnects: number
  /** Stalls detected by the watchdog. */
  readonly stalls: number
  /** Failed attempts since the last stable stream. */
  readonly failures: number
}

/** How one connection attempt ended. */
interface Outcome {
  readonly reason: string
  /** Milliseconds the stream was open (0 if it never opened). */
  readonly openMs: number
  /** The watchdog ended an open stream: reconnect at once (marathon-lb: `wait = 0` on curl 28). */
  readonly stalled: boolean
}

const MARATHON_HEARTBEAT_MS = 10_000

/** Marathon event stream with mlb's own reconnect, watchdog and failover. */
export class EventStream {
  private readonly opts: EventStreamOptions
  private readonly handlers: EventStreamHandlers
  private readonly backoff: Backoff
  private readonly agent: Agent
  private readonly stop$ = new AbortController()
  private loop: Promise<void> | undefined
  private next = 0
  private state: {-readonly [K in keyof EventStreamStatus]: EventStreamStatus[K]} = {
    connected: false, url: undefined, connectedSince: undefined, lastActivityAt: undefined, lastEventAt: undefined, reconnects: 0, stalls: 0, failures: 0,
  }

  constructor(opts: EventStreamOptions, handlers: EventStreamHandlers) {
    if (opts.urls.length === 0) throw new Error('EventStream needs at least one Marathon URL')
    this.opts = opts
    this.handlers = handlers
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF)
    this.agent = createStreamAgent(opts.caCertPath === undefined ? {} : {caCertPath: opts.caCertPath})
  }

  /** Starts connecting in the background. */
  start(): void {
    this.loop ??= this.run().catch((err: unknown) => this.opts.logger.error('event stream loop ended unexpectedly', {error: errorMessage(err)}))
  }

  /** Closes the stream, stops reconnecting and releases sockets. */
  async stop(): Promise<void> {
    this.stop$.abort(new Error('event stream stopped'))
    await this.loop
    await this.agent.close().catch(() => {})
  }

  /** Current connection facts. */
  status(): EventStreamStatus {
    return {...this.state, failures: this.backoff.attempts}
  }

  private get stopped(): boolean {
    return this.stop$.signal.aborted
  }

  private async run(): Promise<void> {
    const log = this.opts.logger
    for (let first = true; !this.stopped; first = false) {
      if (!first) this.state.reconnects++
      const candidate = this.opts.urls[this.next]!
      const url = await this.pickHost()
      const outcome = url === undefined ? {reason: 'host did not answer', openMs: 0, stalled: false} : await this.connectOnce(url)
      if (this.stopped) break
      this.next = (this.next + 1) % this.opts.urls.length
      const delay = outcome.stalled ? 0 : this.backoff.next(outcome.openMs, this.opts.random ?? Math.random)
      const shown = redactUrl(url ?? candidate)
      log.warn('event stream closed', {url: shown, reason: outcome.reason, reconnectInMs: delay, openMs: outcome.openMs})
      this.safely('onDisconnect', () => this.handlers.onDisconnect?.(shown, outcome.reason, delay))
      try {
        await this.opts.clock.sleep(delay, this.stop$.signal)
      } catch {
        break
      }
    }
  }

  /**
   * The next host in round-robin order (marathon-lb rotates on every reconnect), replaced by the
   * leader when that host names one of the configured URLs. Undefined when the host does not
   * even answer `/v2/leader` in time: it is skipped rather than connected to.
   */
  private async pickHost(): Promise<string | undefined> {
    const urls = this.opts.urls
    const candidate = urls[this.next]!
    if (urls.length < 2 || this.opts.followLeader === false) return candidate
    try {
      const leader = await lookupLeader(candidate, {
        dispatcher: this.agent, authorization: this.authFor(candidate), userAgent: this.userAgent, clock: this.opts.clock,
        timeoutMs: this.connectTimeoutMs, signal: this.stop$.signal,
      })
      const i = leader === undefined ? -1 : findLeaderUrl(urls, leader)
      if (i >= 0 && i !== this.next) {
        this.opts.logger.info('following the Marathon leader', {asked: redactUrl(candidate), leader: redactUrl(urls[i]!)})
        this.next = i
      }
      return urls[this.next]
    } catch (err) {
      this.opts.logger.warn('Marathon host did not answer, skipping it', {url: redactUrl(candidate), error: errorMessage(err)})
      return undefined
    }
  }

  private get userAgent(): string {
    return this.opts.userAgent ?? 'mlb'
  }

  private get connectTimeoutMs(): number {
    return this.opts.connectTimeoutMs ?? 10_000
  }

  /** The explicit credentials' header, else this URL's own user info (never another URL's). */
  private authFor(url: string): AuthorizationProvider {
    const own = parseMarathonUrl(url).auth
    const provider = this.opts.authorization
    return async () => (provider === undefined ? undefined : await provider()) ?? (await own?.header())
  }

  /** One connection, from request to end; never rejects. */
  private connectOnce(base: string): Promise<Outcome> {
    const {clock, logger} = this.opts
    let openedAt: number | undefined
    return new Promise<Outcome>((resolve) => {
      let es: EventSource | undefined
      const finish = (reason: string, stalled = false): void => {
        if (es === undefined) return
        es.close()
        es = undefined
        watchdog.cancel()
        this.stop$.signal.removeEventListener('abort', onStop)
        this.state.connected = false
        resolve({reason, stalled: stalled && openedAt !== undefined, openMs: openedAt === undefined ? 0 : clock.monotonic() - openedAt})
      }
      const onStop = (): void => finish('stopped')
      const watchdog = new StreamWatchdog(clock, this.connectTimeoutMs, this.stallTimeoutMs, (phase, silentMs) => {
        if (phase === 'connect') return finish(`no answer within ${this.connectTimeoutMs} ms`)
        this.state.stalls++
        logger.warn('event stream stalled, reconnecting', {silentMs: Math.round(silentMs), limitMs: this.stallTimeoutMs})
        finish(`stalled: no byte for ${Math.round(silentMs)} ms`, true)
      })
      es = new EventSource(this.streamUrl(base), {fetch: this.fetchFor(base, watchdog)})
      this.stop$.signal.addEventListener('abort', onStop, {once: true})
      if (this.stopped) return finish('stopped')
      es.addEventListener('open', () => {
        openedAt = clock.monotonic()
        watchdog.opened()
        this.state.connected = true
        this.state.connectedSince = clock.now()
        const url = this.state.url ?? redactUrl(base)
        logger.info('event stream connected', {url})
        this.safely('onConnect', () => this.handlers.onConnect(url))
      })
      es.addEventListener('error', (e) => finish(e.code === undefined ? (e.message ?? 'stream ended') : `HTTP ${e.code}`))
      for (const type of new Set(['message', ...(this.opts.eventTypes ?? SUBSCRIBED_EVENT_TYPES)])) {
        es.addEventListener(type, (e: MessageEvent<string>) => this.dispatch(e.data, e.type))
      }
      watchdog.start()
    })
  }

  /** `<base>/v2/events?…` without credentials. */
  private streamUrl(base: string): string {
    return `${parseMarathonUrl(base).url}${eventsPath(this.opts.eventTypes ?? SUBSCRIBED_EVENT_TYPES)}`
  }

  /** The fetch for one attempt: feeds the watchdog and records where the stream answered from. */
  private fetchFor(base: string, watchdog: StreamWatchdog): FetchLike {
    return createStreamFetch({
      dispatcher: this.agent, authorization: this.authFor(base), userAgent: this.userAgent,
      onActivity: () => {
        watchdog.activity()
        this.state.lastActivityAt = this.opts.clock.now()
      },
      onResponse: (url, status) => {
        this.state.url = url
        if (status !== 200) this.opts.logger.warn('event stream refused', {url, status})
      },
    })
  }

  private get stallTimeoutMs(): number {
    return this.opts.stallTimeoutMs ?? 3 * MARATHON_HEARTBEAT_MS
  }

  /** Parses one SSE message; garbage is logged and dropped, never thrown. */
  private dispatch(data: string, sseName: string): void {
    const {events, errors} = parseEventData(data, sseName)
    for (const reason of errors) {
      this.opts.logger.warn('ignoring malformed event', {sseEvent: sseName, reason})
      this.safely('onInvalid', () => this.handlers.onInvalid?.(reason))
    }
    for (const event of events) {
      this.state.lastEventAt = this.opts.clock.now()
      this.safely('onEvent', () => this.handlers.onEvent(event))
    }
  }

  /** Runs a caller's handler; a throw is logged, never allowed to kill the stream (EventTarget would rethrow it as uncaught). */
  private safely(name: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.opts.logger.error(`event stream ${name} handler failed`, {error: errorMessage(err)})
    }
  }
}
