import {describe, expect, it} from 'vitest'

import {MemoryLogger} from '../../src/log.js'
import {Metrics} from '../../src/metrics.js'
import {Poller} from '../../src/serve/poll.js'
import type {Work} from '../../src/serve/scheduler.js'
import {Watcher} from '../../src/serve/watch.js'
import {FakeClock} from '../watch-fake-clock.js'

describe('Poller', () => {
  it('ticks at a fixed rate from the start, without drift, until stopped', async () => {
    const clock = new FakeClock()
    const at: number[] = []
    const p = new Poller({clock, intervalMs: 60_000, onTick: () => at.push(clock.monotonic())})
    p.start()
    await clock.advance(59_999)
    expect(at).toEqual([])
    await clock.advance(180_001)
    expect(at).toEqual([60_000, 120_000, 180_000, 240_000])
    p.stop()
    await clock.advance(600_000)
    expect(p.count).toBe(4)
    expect(clock.pendingTimers).toBe(0)
  })

  it('refuses a non-positive interval', () => {
    expect(() => new Poller({clock: new FakeClock(), intervalMs: 0, onTick: () => {}})).toThrow(RangeError)
  })
})

describe('Watcher in poll mode', () => {
  function pollWatcher(fail: () => boolean = () => false, workMs = 0) {
    const clock = new FakeClock()
    const metrics = new Metrics({clock, processMetrics: false})
    const runs: Array<Work & {at: number}> = []
    const w = new Watcher({
      source: {kind: 'poll', intervalMs: 10_000}, clock, logger: new MemoryLogger(), metrics, timing: {resyncIntervalMs: 0, retryMs: 0},
      run: async (work) => {
        runs.push({...work, at: clock.monotonic()})
        if (workMs > 0) await clock.sleep(workMs)
        if (fail()) throw new Error('marathon down')
      },
    })
    return {clock, metrics, runs, w}
  }

  it('resyncs at start and every interval, and reports health from the last resync', async () => {
    const {clock, metrics, runs, w} = pollWatcher()
    expect(w.health()).toMatchObject({healthy: false, reason: 'no successful resync yet'})
    w.start()
    await clock.advance(30_000)
    expect(runs.map((r) => `${r.reasons.join('+')}@${r.at}`)).toEqual(['startup@0', 'poll@10000', 'poll@20000', 'poll@30000'])
    expect(w.health()).toMatchObject({healthy: true, mode: 'poll', secondsSinceLastResync: 0, connected: null})
    const text = await metrics.registry.metrics()
    expect(text).toContain('mlb_resyncs_total{trigger="poll"} 3')
    expect(text).toContain('mlb_regenerations_total{result="ok"} 4')
    await w.stop()
    expect(clock.pendingTimers).toBe(0)
  })

  it('turns unhealthy after three intervals without a successful resync', async () => {
    let down = false
    const {clock, w} = pollWatcher(() => down)
    w.start()
    await clock.advance(0)
    down = true
    await clock.advance(30_000)
    expect(w.health().healthy).toBe(true)
    await clock.advance(1)
    expect(w.health()).toMatchObject({healthy: false, reason: 'no successful resync for more than 30 s'})
    await w.stop()
  })

  it('passes SIGHUP and SIGUSR1 requests through the single-flight scheduler', async () => {
    const {clock, runs, w} = pollWatcher(() => false, 1_000)
    w.start()
    await clock.advance(0)
    w.requestReload()
    w.requestResync()
    await clock.advance(5_000)
    // The reload is swallowed by the resync queued with it behind the running startup resync.
    expect(runs.map((r) => `${r.kind}:${r.reasons.join('+')}@${r.at}`)).toEqual(['resync:startup@0', 'resync:signal+reload@1000'])
    w.requestReload('usr1')
    await clock.advance(1_000)
    expect(runs.at(-1)).toMatchObject({kind: 'reload', reasons: ['usr1'], at: 5_000})
    await w.stop()
  })
})
