/**
 * mlb's own Prometheus metrics (issue 4, users-and-peers pain 15 and idea 10) on a registry of
 * its own (never prom-client's global one), and a small HTTP server on a port of its own with
 * `/metrics` and `/health` (event-stream staleness, pain 8). Metric names are listed in
 * docs/watching.md; every label has a small, fixed set of values.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client'

import type {Clock} from './clock.js'
import type {Logger} from './log.js'
import {SUBSCRIBED_EVENT_TYPES} from './marathon/event-types.js'

/** Facts about the watch, read at scrape time. Times are `clock.now()` milliseconds. */
export interface WatchFacts {
  /** Event mode: whether the stream is open; undefined in poll mode. */
  readonly connected: boolean | undefined
  readonly startedAt: number
  readonly lastEventAt: number | undefined
  /** Last byte from the stream (event or heartbeat). */
  readonly lastActivityAt: number | undefined
  readonly lastResyncAt: number | undefined
}

/** Resync triggers with a label of their own; anything else counts as `other`. */
export const RESYNC_TRIGGERS: readonly string[] = ['startup', 'connect', 'event', 'signal', 'periodic', 'poll', 'retry', 'reload']

/** At most this many `mlb_excluded_app` series: an app id label is bounded by the app count, but a broken template could exclude every app. */
export const MAX_EXCLUDED_APP_SERIES = 50

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  readonly clock: Clock
  /** Node process metrics (CPU, memory, event-loop lag) with the `mlb_` prefix; default true. */
  readonly processMetrics?: boolean
}

/** The metric objects and the few helpers that keep their labels bounded. */
export class Metrics {
  /** The registry served on `/metrics`. */
  readonly registry = new Registry()
  private facts: () => WatchFacts | undefined = () => undefined
  private readonly clock: Clock

  /** Events received, by type (known types only; others are `other`). */
  readonly eventsReceived = new Counter({name: 'mlb_events_received_total', help: 'Marathon events received, by event type', labelNames: ['type'] as const, registers: [this.registry]})
  /** Event payloads that could not be parsed. */
  readonly eventsInvalid = new Counter({name: 'mlb_events_invalid_total', help: 'Event-stream messages ignored because they could not be parsed', registers: [this.registry]})
  /** Resyncs by trigger (a run coalescing several triggers counts once for each). */
  readonly resyncs = new Counter({name: 'mlb_resyncs_total', help: 'Full resyncs from Marathon, by trigger', labelNames: ['trigger'] as const, registers: [this.registry]})
  /** Regenerations (resync runs) by result. */
  readonly regenerations = new Counter({name: 'mlb_regenerations_total', help: 'Config regenerations, by result', labelNames: ['result'] as const, registers: [this.registry]})
  /** Duration of regenerations. */
  readonly regenerationDuration = new Histogram({name: 'mlb_regeneration_duration_seconds', help: 'Time to fetch apps, render, validate and reload', buckets: SECONDS_BUCKETS, registers: [this.registry]})
  /** HAProxy reloads by result. */
  readonly reloads = new Counter({name: 'mlb_reloads_total', help: 'HAProxy reloads, by result', labelNames: ['result'] as const, registers: [this.registry]})
  /** Configuration changes applied through the runtime API instead of a reload. */
  readonly runtimeApplies = new Counter({name: 'mlb_runtime_applies_total', help: 'Server-only config changes applied through the HAProxy runtime API, without a reload', registers: [this.registry]})
  /** Duration of HAProxy reloads (until the new worker is confirmed). */
  readonly reloadDuration = new Histogram({name: 'mlb_reload_duration_seconds', help: 'Time from reload request to confirmed new worker', buckets: SECONDS_BUCKETS, registers: [this.registry]})
  /** `haproxy -c` refusals. */
  readonly validationFailures = new Counter({name: 'mlb_config_validation_failures_total', help: 'Generated configs refused by haproxy -c', registers: [this.registry]})
  /** Apps currently excluded from the config. */
  readonly excludedApps = new Gauge({name: 'mlb_excluded_apps', help: 'Apps currently excluded from the config', registers: [this.registry]})
  /** One series per currently excluded app (capped at {@link MAX_EXCLUDED_APP_SERIES}). */
  readonly excludedApp = new Gauge({name: 'mlb_excluded_app', help: 'Set to 1 for each app currently excluded (first 50 by id)', labelNames: ['app_id'] as const, registers: [this.registry]})
  /** HAProxy worker processes, current and old (draining). */
  readonly haproxyWorkers = new Gauge({name: 'mlb_haproxy_workers', help: 'HAProxy worker processes alive, by state', labelNames: ['state'] as const, registers: [this.registry]})
  /** Age of the oldest old worker. */
  readonly haproxyOldestOldWorker = new Gauge({name: 'mlb_haproxy_oldest_old_worker_age_seconds', help: 'Age of the oldest draining HAProxy worker (0 if none)', registers: [this.registry]})
  /** Event-stream reconnects (every attempt after the first). */
  readonly streamReconnects = new Counter({name: 'mlb_event_stream_reconnects_total', help: 'Event-stream reconnect attempts', registers: [this.registry]})
  /** Streams abandoned by the stall watchdog. */
  readonly streamStalls = new Counter({name: 'mlb_event_stream_stalls_total', help: 'Event streams abandoned after a silence longer than the stall bound', registers: [this.registry]})

  constructor(opts: MetricsOptions) {
    this.clock = opts.clock
    const since = (at: number | undefined): number => Math.max(0, (this.clock.now() - (at ?? this.facts()?.startedAt ?? this.clock.now())) / 1000)
    const self = (): WatchFacts | undefined => this.facts()
    new Gauge({name: 'mlb_event_stream_connected', help: '1 when the Marathon event stream is open (0 in poll mode)', registers: [this.registry], collect() {
      this.set(self()?.connected === true ? 1 : 0)
    }})
    new Gauge({name: 'mlb_seconds_since_last_event', help: 'Seconds since the last Marathon event (since start if none)', registers: [this.registry], collect() {
      this.set(since(self()?.lastEventAt))
    }})
    new Gauge({name: 'mlb_event_stream_seconds_since_last_activity', help: 'Seconds since the last byte (event or heartbeat) on the event stream', registers: [this.registry], collect() {
      this.set(since(self()?.lastActivityAt))
    }})
    new Gauge({name: 'mlb_seconds_since_last_resync', help: 'Seconds since the last successful full resync (since start if none)', registers: [this.registry], collect() {
      this.set(since(self()?.lastResyncAt))
    }})
    for (const state of ['current', 'old']) this.haproxyWorkers.set({state}, 0)
    this.excludedApps.set(0)
    if (opts.processMetrics !== false) collectDefaultMetrics({register: this.registry, prefix: 'mlb_'})
  }

  /** Where the scrape-time gauges read the watch state (set by the watcher). */
  setWatchFacts(source: () => WatchFacts | undefined): void {
    this.facts = source
  }

  /** Counts one event; unknown types share the `other` label. */
  countEvent(eventType: string): void {
    this.eventsReceived.inc({type: SUBSCRIBED_EVENT_TYPES.includes(eventType) ? eventType : 'other'})
  }

  /** Records one finished resync run with its triggers. */
  recordRegeneration(triggers: readonly string[], durationMs: number, ok: boolean): void {
    for (const t of new Set(triggers.map((r) => (RESYNC_TRIGGERS.includes(r) ? r : 'other')))) this.resyncs.inc({trigger: t})
    this.regenerations.inc({result: ok ? 'ok' : 'error'})
    this.regenerationDuration.observe(durationMs / 1000)
  }

  /** Records one HAProxy reload (called by the HAProxy driver). */
  recordReload(durationMs: number, ok: boolean): void {
    this.reloads.inc({result: ok ? 'ok' : 'error'})
    this.reloadDuration.observe(durationMs / 1000)
  }

  /** Records one change applied through the runtime API (no reload). */
  recordRuntimeApply(): void {
    this.runtimeApplies.inc()
  }

  /** Replaces the set of excluded apps (after each regeneration). */
  setExcludedApps(appIds: readonly string[]): void {
    this.excludedApps.set(appIds.length)
    this.excludedApp.reset()
    for (const id of [...appIds].sort().slice(0, MAX_EXCLUDED_APP_SERIES)) this.excludedApp.set({app_id: id}, 1)
  }

  /** Sets the HAProxy worker counts (from `show proc`). */
  setHaproxyWorkers(current: number, old: number, oldestOldAgeSeconds = 0): void {
    this.haproxyWorkers.set({state: 'current'}, current)
    this.haproxyWorkers.set({state: 'old'}, old)
    this.haproxyOldestOldWorker.set(oldestOldAgeSeconds)
  }
}

/** What `/health` reports; `healthy: false` answers 503. */
export interface HealthReport {
  readonly healthy: boolean
  readonly [key: string]: unknown
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  readonly metrics: Metrics
  readonly health: () => HealthReport
  /** 0 picks a free port (tests). */
  readonly port: number
  /** Default `0.0.0.0`. */
  readonly host?: string
  readonly logger: Logger
}

/** A running metrics server. */
export interface MetricsServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** Serves `GET /metrics` (Prometheus text) and `GET /health` (JSON, 200 or 503). */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {Allow: 'GET, HEAD'}).end()
      return
    }
    if (path === '/metrics') {
      opts.metrics.registry.metrics().then(
        (text) => res.writeHead(200, {'Content-Type': opts.metrics.registry.contentType}).end(text),
        (err: unknown) => {
          opts.logger.error('metrics collection failed', {error: String(err)})
          res.writeHead(500).end()
        },
      )
      return
    }
    if (path === '/health') {
      const report = opts.health()
      res.writeHead(report.healthy ? 200 : 503, {'Content-Type': 'application/json'}).end(`${JSON.stringify(report)}\n`)
      return
    }
    res.writeHead(404, {'Content-Type': 'text/plain'}).end('not found\n')
  })
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = opts.host ?? '0.0.0.0'
  opts.logger.info('metrics server listening', {host, port})
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
