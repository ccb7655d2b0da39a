import {describe, expect, it} from 'vitest'

import {MemoryLogger} from '../../src/log.js'
import {Scheduler, type SchedulerTiming, type Work, type WorkOutcome} from '../../src/serve/scheduler.js'
import {FakeClock} from '../watch-fake-clock.js'

interface Harness {
  readonly clock: FakeClock
  readonly scheduler: Scheduler
  readonly runs: Array<Work & {readonly at: number}>
  readonly outcomes: WorkOutcome[]
  readonly logger: MemoryLogger
}

/** A scheduler whose work takes `workMs` of fake time (or throws when `fail` says so). */
function harness(timing: Partial<SchedulerTiming> = {}, workMs = 0, fail: (n: number) => boolean = () => false): Harness {
  const clock = new FakeClock()
  const logger = new MemoryLogger()
  const runs: Harness['runs'] = []
  const outcomes: WorkOutcome[] = []
  const scheduler = new Scheduler({
    clock, logger, timing, onDone: (o) => outcomes.push(o),
    run: async (work) => {
      runs.push({...work, at: clock.monotonic()})
      if (workMs > 0) await clock.sleep(workMs)
      if (fail(runs.length)) throw new Error(`boom ${runs.length}`)
    },
  })
  scheduler.start()
  return {clock, scheduler, runs, outcomes, logger}
}

describe('Scheduler', () => {
  it('runs one resync a quiet period after a single event', async () => {
    const h = harness({quietMs: 100})
    h.scheduler.markDirty()
    await h.clock.advance(99)
    expect(h.runs).toHaveLength(0)
    await h.clock.advance(1)
    expect(h.runs).toEqual([{kind: 'resync', reasons: ['event'], requests: 1, waitedMs: 100, at: 100}])
    await h.clock.advance(5_000)
    expect(h.runs).toHaveLength(1)
  })

  it('turns 1,000 events in 10 s into about 10 resyncs, the last one after the last event', async () => {
    const h = harness()
    for (let i = 0; i < 1_000; i++) {
      h.scheduler.markDirty()
      await h.clock.advance(10)
    }
    await h.clock.advance(2_000)
    expect(h.runs.length).toBeGreaterThanOrEqual(9)
    expect(h.runs.length).toBeLessThanOrEqual(11)
    expect(h.runs.reduce((n, r) => n + r.requests, 0)).toBe(1_000)
    expect(h.runs.at(-1)!.at).toBeGreaterThanOrEqual(9_990)
  })

  it('honours the maximum delay under a steady stream: every event is covered within 1 s', async () => {
    const h = harness({quietMs: 200, maxDelayMs: 1_000, minIntervalMs: 0})
    const marks: number[] = []
    for (let i = 0; i < 200; i++) {
      marks.push(h.clock.monotonic())
      h.scheduler.markDirty()
      await h.clock.advance(50)
    }
    await h.clock.advance(1_000)
    const starts = h.runs.map((r) => r.at)
    const worst = Math.max(...marks.map((m) => starts.find((s) => s >= m)! - m))
    expect(worst).toBeLessThanOrEqual(1_000)
    expect(Math.max(...h.runs.map((r) => r.waitedMs))).toBeLessThanOrEqual(1_000)
    expect(h.runs.length).toBeLessThanOrEqual(11)
  })

  it('spaces event-driven runs by the minimum interval when bursts are farther apart than the quiet period', async () => {
    const h = harness({quietMs: 100, maxDelayMs: 1_000, minIntervalMs: 250})
    for (let i = 0; i < 66; i++) {
      h.scheduler.markDirty()
      await h.clock.advance(150)
    }
    await h.clock.advance(1_000)
    const gaps = h.runs.slice(1).map((r, i) => r.at - h.runs[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250)
    expect(h.runs.length).toBeLessThanOrEqual(10_000 / 250 + 1)
  })

  it('collapses everything requested during a run into exactly one follow-up', async () => {
    const h = harness({}, 500)
    h.scheduler.requestResync('connect')
    await h.clock.advance(0)
    expect(h.scheduler.status().running).toBe('resync')
    for (let i = 0; i < 50; i++) h.scheduler.markDirty()
    h.scheduler.requestResync('signal')
    await h.clock.advance(100)
    expect(h.runs).toHaveLength(1)
    await h.clock.advance(5_000)
    expect(h.runs).toHaveLength(2)
    expect(h.runs[1]).toMatchObject({kind: 'resync', requests: 51, at: 500})
    expect(new Set(h.runs[1]!.reasons)).toEqual(new Set(['event', 'signal']))
  })

  it('runs explicit resync requests at once, without the quiet period', async () => {
    const h = harness({quietMs: 10_000})
    h.scheduler.requestResync('signal')
    await h.clock.advance(0)
    expect(h.runs).toHaveLength(1)
  })

  it('lets a pending resync swallow a pending reload (behaviour §6.3)', async () => {
    const h = harness({}, 300)
    h.scheduler.requestResync('connect')
    await h.clock.advance(0)
    // Both requested while the first resync runs: the follow-up resync covers the reload.
    h.scheduler.requestReload('signal')
    h.scheduler.markDirty()
    await h.clock.advance(2_000)
    expect(h.runs.map((r) => r.kind)).toEqual(['resync', 'resync'])
    expect(h.runs[1]!.reasons).toEqual(['event', 'reload'])
  })

  it('runs a reload alone, and a reload requested during a resync afterwards', async () => {
    const h = harness({}, 300)
    h.scheduler.requestReload('signal')
    await h.clock.advance(1_000)
    h.scheduler.requestResync('connect')
    await h.clock.advance(100)
    h.scheduler.requestReload('signal')
    await h.clock.advance(1_000)
    expect(h.runs.map((r) => `${r.kind}@${r.at}`)).toEqual(['reload@0', 'resync@1000', 'reload@1300'])
  })

  it('resyncs periodically after the last resync (marathon-lb: 300 s)', async () => {
    const h = harness({resyncIntervalMs: 300_000})
    await h.clock.advance(100_000)
    h.scheduler.requestResync('connect')
    await h.clock.advance(399_999 - 100_000)
    expect(h.runs.map((r) => r.reasons[0])).toEqual(['connect'])
    await h.clock.advance(1)
    expect(h.runs.map((r) => `${r.reasons[0]}@${r.at}`)).toEqual(['connect@100000', 'periodic@400000'])
    await h.clock.advance(300_000)
    expect(h.runs).toHaveLength(3)
  })

  it('logs a failed run, reports it, retries later and keeps going', async () => {
    const h = harness({retryMs: 2_000}, 0, (n) => n === 1)
    h.scheduler.requestResync('connect')
    await h.clock.advance(1_999)
    expect(h.outcomes).toHaveLength(1)
    expect(h.outcomes[0]!.error).toBeInstanceOf(Error)
    expect(h.logger.messages('error')).toEqual(['resync failed'])
    await h.clock.advance(1)
    expect(h.runs.map((r) => r.reasons[0])).toEqual(['connect', 'retry'])
    expect(h.outcomes[1]!.error).toBeUndefined()
    expect(h.scheduler.status().lastResyncAt).toBe(h.clock.now())
  })

  it('stops: waits for the running work, then runs nothing and leaves no timer', async () => {
    const h = harness({}, 400)
    h.scheduler.requestResync('connect')
    await h.clock.advance(0)
    h.scheduler.markDirty()
    const stopped = h.scheduler.stop()
    await h.clock.advance(400)
    await stopped
    await h.clock.advance(10_000)
    expect(h.runs).toHaveLength(1)
    expect(h.clock.pendingTimers).toBe(0)
    h.scheduler.requestResync('late')
    await h.clock.advance(10)
    expect(h.runs).toHaveLength(1)
  })

  it('idle() resolves once the pending work is done', async () => {
    const h = harness({}, 100)
    h.scheduler.markDirty()
    let idle = false
    void h.scheduler.idle().then(() => (idle = true))
    await h.clock.advance(150)
    expect(idle).toBe(false)
    await h.clock.advance(100)
    expect(idle).toBe(true)
  })

  it('keeps going when the onDone hook throws', async () => {
    const clock = new FakeClock()
    const logger = new MemoryLogger()
    let runs = 0
    const s = new Scheduler({clock, logger, run: async () => void runs++, onDone: () => {
      throw new Error('metrics bug')
    }})
    s.requestResync('a')
    await clock.advance(0)
    s.requestResync('b')
    await clock.advance(0)
    expect(runs).toBe(2)
    expect(logger.messages('error')).toEqual(['scheduler onDone hook failed', 'scheduler onDone hook failed'])
  })

  describe('after a cheap run (no reload)', () => {
    /** A scheduler whose runs report `reloaded` from the list, in order. */
    function reporting(reloaded: readonly boolean[]): {clock: FakeClock; scheduler: Scheduler; at: number[]} {
      const clock = new FakeClock()
      const at: number[] = []
      const scheduler = new Scheduler({
        clock, logger: new MemoryLogger(), timing: {quietMs: 100, minIntervalMs: 250, cheapQuietMs: 20},
        run: async () => ({reloaded: reloaded[at.push(clock.monotonic()) - 1] ?? true}),
      })
      return {clock, scheduler, at}
    }
    const cases = [
      {desc: 'uses the short quiet period and no minimum interval', reloaded: [false], expected: [100, 130]},
      {desc: 'keeps the normal timing after a reload', reloaded: [true], expected: [100, 350]},
    ]
    for (const c of cases) {
      it(c.desc, async () => {
        const h = reporting(c.reloaded)
        h.scheduler.markDirty()
        await h.clock.advance(110)
        h.scheduler.markDirty()
        await h.clock.advance(300)
        expect(h.at).toEqual(c.expected)
      })
    }
    it('treats a run without a report as a reload', async () => {
      const clock = new FakeClock()
      const at: number[] = []
      const s = new Scheduler({clock, logger: new MemoryLogger(), timing: {quietMs: 100, minIntervalMs: 250, cheapQuietMs: 20}, run: async () => void at.push(clock.monotonic())})
      s.markDirty()
      await clock.advance(110)
      s.markDirty()
      await clock.advance(300)
      expect(at).toEqual([100, 350])
    })
  })
})
