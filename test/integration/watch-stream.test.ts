import {afterEach, describe, expect, it} from 'vitest'

import {systemClock} from '../../src/clock.js'
import {MemoryLogger} from '../../src/log.js'
import {Metrics} from '../../src/metrics.js'
import type {Work} from '../../src/serve/scheduler.js'
import {Watcher} from '../../src/serve/watch.js'
import {startSseServer, waitFor, type SseServer} from '../sse-server.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function server(heartbeatMs = 50): Promise<SseServer> {
  const s = await startSseServer({heartbeatMs})
  cleanup.push(() => s.close())
  return s
}

/**
 * Marathon's state is a version number; a resync copies it into the "config". Convergence is
 * config === marathon. A failing Marathon makes the resync throw and leaves the config as it was.
 */
function harness(urls: string[]) {
  const marathon = {version: 1, failing: false}
  const config = {version: 0}
  const runs: Work[] = []
  const metrics = new Metrics({clock: systemClock, processMetrics: false})
  const logger = new MemoryLogger()
  const watcher = new Watcher({
    source: {
      kind: 'events',
      stream: {urls, connectTimeoutMs: 400, stallTimeoutMs: 400, backoff: {initialMs: 100, factor: 2, maxMs: 1_000, stableMs: 60_000}},
    },
    clock: systemClock, logger, metrics, timing: {quietMs: 50, maxDelayMs: 200, minIntervalMs: 0, retryMs: 200},
    run: async (work) => {
      runs.push(work)
      await new Promise((r) => setTimeout(r, 5))
      if (work.kind !== 'resync') return
      if (marathon.failing) throw new Error('Marathon answered 503')
      config.version = marathon.version
    },
  })
  watcher.start()
  cleanup.push(() => watcher.stop())
  const converged = (): boolean => config.version === marathon.version
  return {marathon, config, runs, metrics, logger, watcher, converged}
}

const taskRunning = (n: number) => ({taskId: `web.${n}`, taskStatus: 'TASK_RUNNING', appId: '/web', eventType: 'status_update_event', timestamp: 't'})

describe('Watcher following a Marathon event stream', () => {
  it('resyncs at start and on connect, then coalesces a burst of events', async () => {
    const s = await server()
    const h = harness([s.url])
    await waitFor(() => h.runs.some((r) => r.reasons.includes('connect')), 5_000, 'connect resync')
    await h.watcher.idle()
    const before = h.runs.length
    h.marathon.version = 2
    for (let i = 0; i < 200; i++) s.send(taskRunning(i))
    s.send({...taskRunning(999), taskStatus: 'TASK_STAGING'})
    await waitFor(() => h.converged(), 5_000, 'convergence after the burst')
    await new Promise((r) => setTimeout(r, 300))
    await h.watcher.idle()
    const burstRuns = h.runs.slice(before)
    expect(burstRuns.length).toBeGreaterThanOrEqual(1)
    expect(burstRuns.length).toBeLessThanOrEqual(3)
    expect(burstRuns.reduce((n, r) => n + r.requests, 0)).toBe(200) // the STAGING update is not routing
    const text = await h.metrics.registry.metrics()
    expect(text).toContain('mlb_events_received_total{type="status_update_event"} 201')
    expect(h.watcher.health()).toMatchObject({healthy: true, connected: true})
  })

  for (const how of ['dropped', 'stalled'] as const) {
    it(`converges within 5 s after the stream is ${how} and events were missed`, async () => {
      const s = await server(how === 'stalled' ? 0 : 50)
      if (how === 'stalled') s.setMode({kind: 'stall'})
      const h = harness([s.url])
      await waitFor(() => h.watcher.status().stream?.connected === true && h.converged(), 5_000, 'first sync')
      await h.watcher.idle()
      if (how === 'stalled') s.setMode({kind: 'ok'})
      else s.dropAll()
      h.marathon.version = 7 // changed while nobody listens: no event will tell
      const t0 = Date.now()
      await waitFor(() => h.converged(), 5_000, 'convergence')
      const took = Date.now() - t0
      expect(took).toBeLessThan(5_000)
      expect(h.runs.filter((r) => r.reasons.includes('connect')).length).toBeGreaterThanOrEqual(2)
      const text = await h.metrics.registry.metrics()
      expect(text).toMatch(/mlb_event_stream_reconnects_total [1-9]/)
      if (how === 'stalled') expect(text).toMatch(/mlb_event_stream_stalls_total [1-9]/)
    })
  }

  it('converges within 5 s when the first of two Marathons hangs', async () => {
    const hung = await server()
    const good = await server()
    hung.setMode({kind: 'hang'})
    good.setLeader(good.hostPort)
    const t0 = Date.now()
    const h = harness([hung.url, good.url])
    await waitFor(() => h.watcher.status().stream?.connected === true, 5_000, 'connected to the good host')
    h.marathon.version = 3
    good.send(taskRunning(1))
    await waitFor(() => h.converged(), 5_000, 'convergence')
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(h.watcher.status().stream?.url?.startsWith(good.url)).toBe(true)
  })

  it('keeps the last config while Marathon answers 5xx, retries, and converges once it recovers', async () => {
    const s = await server()
    const h = harness([s.url])
    await waitFor(() => h.converged(), 5_000, 'first sync')
    await h.watcher.idle()
    h.marathon.failing = true
    h.marathon.version = 4
    s.send(taskRunning(1))
    await waitFor(() => h.logger.messages('error').includes('resync failed'), 5_000, 'a failed resync')
    expect(h.config.version).toBe(1)
    h.marathon.failing = false
    await waitFor(() => h.converged(), 5_000, 'convergence after recovery')
    // No event was sent after the recovery: the resync that converged was the scheduler's retry,
    // or, when a loaded machine made the stall watchdog reconnect first, the reconnect's resync.
    expect(h.runs.some((r) => r.reasons.includes('retry') || r.reasons.includes('connect'))).toBe(true)
    expect(await h.metrics.registry.metrics()).toMatch(/mlb_regenerations_total\{result="error"\} [1-9]/)
  })

  it('reports an unhealthy /health while the stream is down and recovers', async () => {
    const s = await server()
    const h = harness([s.url])
    await waitFor(() => h.watcher.health().healthy, 5_000, 'healthy')
    s.setMode({kind: 'status', status: 503})
    s.dropAll()
    await waitFor(() => !h.watcher.health().healthy, 5_000, 'unhealthy')
    expect(h.watcher.health()).toMatchObject({reason: 'event stream not connected', connected: false})
    s.setMode({kind: 'ok'})
    await waitFor(() => h.watcher.health().healthy, 5_000, 'healthy again')
  })
})
