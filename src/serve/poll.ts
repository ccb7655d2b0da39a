/**
 * Poll mode (`--poll-interval`, env `POLL_INTERVAL`, marathon-lb's container `poll` mode):
 * for setups where Marathon's event stream is unusable, a full resync every interval instead of
 * following events. marathon-lb's container re-ran the one-shot program after sleeping
 * `POLL_INTERVAL` (behaviour §6.9, §2.1); mlb stays up and ticks on the Clock.
 */
import type {Clock, TimerHandle} from '../clock.js'

/** marathon-lb's container default `POLL_INTERVAL` (60 s). */
export const DEFAULT_POLL_INTERVAL_MS = 60_000

/** Options of {@link Poller}. */
export interface PollerOptions {
  readonly clock: Clock
  /** Milliseconds between ticks; must be positive. */
  readonly intervalMs: number
  /** Called on every tick (the watcher requests a resync). */
  readonly onTick: () => void
}

/** Calls `onTick` at a fixed rate; the first tick comes one interval after `start`. */
export class Poller {
  private readonly opts: PollerOptions
  private timer: TimerHandle | undefined
  private ticks = 0

  constructor(opts: PollerOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError(`poll interval must be positive, got ${opts.intervalMs} ms`)
    this.opts = opts
  }

  /** Ticks so far. */
  get count(): number {
    return this.ticks
  }

  /** Starts ticking (idempotent). */
  start(): void {
    if (this.timer !== undefined) return
    // Due times are computed from the start, so a slow tick handler cannot make the period drift.
    const origin = this.opts.clock.monotonic()
    let n = 0
    const arm = (): void => {
      const due = origin + (n + 1) * this.opts.intervalMs
      this.timer = this.opts.clock.timer(Math.max(0, due - this.opts.clock.monotonic()), () => {
        n++
        this.ticks++
        arm()
        this.opts.onTick()
      })
    }
    arm()
  }

  /** Stops ticking. */
  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }
}
