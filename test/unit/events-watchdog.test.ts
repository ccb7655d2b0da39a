import {describe, expect, it} from 'vitest'

import {StreamWatchdog, type WatchdogPhase} from '../../src/marathon/event-watchdog.js'
import {FakeClock} from '../watch-fake-clock.js'

function setup(connectMs = 10_000, stallMs = 30_000) {
  const clock = new FakeClock()
  const fired: Array<{phase: WatchdogPhase; silentMs: number; at: number}> = []
  const w = new StreamWatchdog(clock, connectMs, stallMs, (phase, silentMs) => fired.push({phase, silentMs, at: clock.monotonic()}))
  return {clock, fired, w}
}

describe('StreamWatchdog', () => {
  it('gives up on a connection that does not open within the connect bound', async () => {
    const {clock, fired, w} = setup()
    w.start()
    w.activity() // bytes before open (a redirect) do not extend the connect bound
    await clock.advance(9_999)
    expect(fired).toEqual([])
    await clock.advance(1)
    expect(fired).toEqual([{phase: 'connect', silentMs: 10_000, at: 10_000}])
    expect(clock.pendingTimers).toBe(0)
  })

  it('keeps a stream alive while Marathon heartbeats every 10 s', async () => {
    const {clock, fired, w} = setup()
    w.start()
    await clock.advance(500)
    w.opened()
    for (let i = 0; i < 360; i++) {
      await clock.advance(10_000)
      w.activity()
    }
    expect(fired).toEqual([])
    expect(clock.pendingTimers).toBe(1)
    w.cancel()
    expect(clock.pendingTimers).toBe(0)
  })

  it('fires once the silence after the last byte reaches the stall bound', async () => {
    const {clock, fired, w} = setup()
    w.start()
    w.opened()
    await clock.advance(25_000)
    w.activity()
    await clock.advance(29_999)
    expect(fired).toEqual([])
    await clock.advance(1)
    expect(fired).toEqual([{phase: 'stall', silentMs: 30_000, at: 55_000}])
    await clock.advance(100_000)
    expect(fired).toHaveLength(1)
  })

  it('never fires after cancel', async () => {
    const {clock, fired, w} = setup(100, 100)
    w.start()
    w.cancel()
    await clock.advance(1_000)
    expect(fired).toEqual([])
  })
})
