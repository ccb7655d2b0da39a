import {afterEach, describe, expect, it} from 'vitest'

import {MemoryLogger} from '../../src/log.js'
import {MAX_EXCLUDED_APP_SERIES, Metrics, startMetricsServer, type HealthReport, type MetricsServer} from '../../src/metrics.js'
import {FakeClock} from '../watch-fake-clock.js'

let server: MetricsServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

/** Value of one sample line (`name{labels} value`) in Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('metrics', () => {
  it('exposes mlb metrics with bounded labels on /metrics', async () => {
    const clock = new FakeClock()
    const m = new Metrics({clock, processMetrics: false})
    const started = clock.now()
    m.setWatchFacts(() => ({connected: true, startedAt: started, lastEventAt: started + 1_000, lastActivityAt: started + 4_000, lastResyncAt: undefined}))
    await clock.advance(5_000)
    m.countEvent('status_update_event')
    m.countEvent('status_update_event')
    m.countEvent('pod_created_event')
    m.recordRegeneration(['event', 'connect', 'weird'], 120, true)
    m.recordRegeneration(['event'], 40, false)
    m.recordReload(300, true)
    m.validationFailures.inc()
    m.setExcludedApps(Array.from({length: 60}, (_, i) => `/app-${String(i).padStart(2, '0')}`))
    m.setHaproxyWorkers(1, 2, 42)
    m.streamReconnects.inc()

    server = await startMetricsServer({metrics: m, health: () => ({healthy: true}), port: 0, host: '127.0.0.1', logger: new MemoryLogger()})
    const res = await fetch(`${server.url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(sample(text, 'mlb_events_received_total{type="status_update_event"}')).toBe(2)
    expect(sample(text, 'mlb_events_received_total{type="other"}')).toBe(1)
    expect(sample(text, 'mlb_resyncs_total{trigger="event"}')).toBe(2)
    expect(sample(text, 'mlb_resyncs_total{trigger="other"}')).toBe(1)
    expect(sample(text, 'mlb_regenerations_total{result="ok"}')).toBe(1)
    expect(sample(text, 'mlb_regenerations_total{result="error"}')).toBe(1)
    expect(sample(text, 'mlb_regeneration_duration_seconds_count')).toBe(2)
    expect(sample(text, 'mlb_regeneration_duration_seconds_bucket{le="0.05"}')).toBe(1)
    expect(sample(text, 'mlb_reload_duration_seconds_sum')).toBeCloseTo(0.3)
    expect(sample(text, 'mlb_config_validation_failures_total')).toBe(1)
    expect(sample(text, 'mlb_excluded_apps')).toBe(60)
    expect(text.split('\n').filter((l) => l.startsWith('mlb_excluded_app{'))).toHaveLength(MAX_EXCLUDED_APP_SERIES)
    expect(sample(text, 'mlb_haproxy_workers{state="old"}')).toBe(2)
    expect(sample(text, 'mlb_haproxy_oldest_old_worker_age_seconds')).toBe(42)
    expect(sample(text, 'mlb_event_stream_connected')).toBe(1)
    expect(sample(text, 'mlb_seconds_since_last_event')).toBe(4)
    expect(sample(text, 'mlb_event_stream_seconds_since_last_activity')).toBe(1)
    expect(sample(text, 'mlb_seconds_since_last_resync')).toBe(5)
    expect(sample(text, 'mlb_event_stream_reconnects_total')).toBe(1)
    expect(text).not.toContain('process_cpu') // no default registry leaking in

    m.setExcludedApps([])
    expect(sample(await (await fetch(`${server.url}/metrics`)).text(), 'mlb_excluded_apps')).toBe(0)
  })

  it('adds Node process metrics with the mlb_ prefix when asked', async () => {
    const m = new Metrics({clock: new FakeClock()})
    const text = await m.registry.metrics()
    expect(text).toContain('mlb_process_cpu_user_seconds_total')
  })

  it('serves /health as JSON with 200 or 503, and nothing else', async () => {
    let report: HealthReport = {healthy: true, mode: 'events'}
    server = await startMetricsServer({metrics: new Metrics({clock: new FakeClock(), processMetrics: false}), health: () => report, port: 0, host: '127.0.0.1', logger: new MemoryLogger()})
    let res = await fetch(`${server.url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({healthy: true, mode: 'events'})
    report = {healthy: false, reason: 'event stream not connected'}
    res = await fetch(`${server.url}/health`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({reason: 'event stream not connected'})
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    expect((await fetch(`${server.url}/metrics`, {method: 'POST'})).status).toBe(405)
  })
})
