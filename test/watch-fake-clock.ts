/**
 * A fake {@link Clock} for tests (style rule 3): time moves only when the test calls
 * `advance`, timers fire in due order, and pending promise continuations run between timers so
 * async loops driven by the clock make progress as they would in real time.
 */
import type {Clock, TimerHandle} from '../src/clock.js'

interface Pending {
  readonly at: number
  readonly seq: number
  readonly fn: () => void
}

/** Lets every queued promise continuation and I/O callback run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r))
}

/** Manually advanced clock. `now()` starts at `start`, `monotonic()` at 0. */
export class FakeClock implements Clock {
  private t = 0
  private seq = 0
  private readonly timers = new Set<Pending>()
  private readonly start: number

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.start = start
  }

  now(): number {
    return this.start + this.t
  }

  monotonic(): number {
    return this.t
  }

  /** Number of armed timers (to assert that nothing leaks). */
  get pendingTimers(): number {
    return this.timers.size
  }

  timer(ms: number, fn: () => void): TimerHandle {
    const p: Pending = {at: this.t + Math.max(0, ms), seq: this.seq++, fn}
    this.timers.add(p)
    return {cancel: () => void this.timers.delete(p)}
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = (): void => {
        handle.cancel()
        reject(signal?.reason)
      }
      const handle = this.timer(ms, () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      signal?.addEventListener('abort', onAbort, {once: true})
    })
  }

  /** Moves time forward by `ms`, firing due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms
    await settle()
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next: Pending | undefined
      for (const p of this.timers) if (p.at <= target && (next === undefined || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p
      if (next === undefined) break
      this.timers.delete(next)
      this.t = next.at
      next.fn()
      await settle()
    }
    this.t = target
    await settle()
  }
}
