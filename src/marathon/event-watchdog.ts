/**
 * The event stream's watchdog: bounds the time to connect, then the silence between received
 * bytes. Marathon writes a bare line every 10 s (marathon-api §7.2), so silence well beyond that
 * means a dead peer or a half-open connection; marathon-lb's curl gave up after 300 s of less
 * than 1 byte/s (users-and-peers pain 8), mlb defaults to 3 heartbeats. One Clock timer, re-armed
 * lazily, so a busy stream costs nothing per byte but a timestamp.
 */
import type {Clock, TimerHandle} from '../clock.js'

/** Which bound expired. */
export type WatchdogPhase = 'connect' | 'stall'

/** Connect and silence bounds over one connection attempt. */
export class StreamWatchdog {
  private readonly clock: Clock
  private readonly connectMs: number
  private readonly stallMs: number
  private readonly onExpire: (phase: WatchdogPhase, silentMs: number) => void
  private phase: WatchdogPhase = 'connect'
  private since = 0
  private timer: TimerHandle | undefined
  private done = false

  constructor(clock: Clock, connectMs: number, stallMs: number, onExpire: (phase: WatchdogPhase, silentMs: number) => void) {
    this.clock = clock
    this.connectMs = connectMs
    this.stallMs = stallMs
    this.onExpire = onExpire
  }

  /** Starts the connect bound. */
  start(): void {
    this.since = this.clock.monotonic()
    this.arm()
  }

  /** The stream is open: from now on, bound the silence. */
  opened(): void {
    this.phase = 'stall'
    this.since = this.clock.monotonic()
    this.timer?.cancel()
    this.arm()
  }

  /** Bytes arrived (after open they reset the silence; before open they do not count). */
  activity(): void {
    if (this.phase === 'stall') this.since = this.clock.monotonic()
  }

  /** Stops for good. */
  cancel(): void {
    this.done = true
    this.timer?.cancel()
    this.timer = undefined
  }

  private get limit(): number {
    return this.phase === 'connect' ? this.connectMs : this.stallMs
  }

  private arm(): void {
    if (this.done) return
    const wait = Math.max(0, this.since + this.limit - this.clock.monotonic())
    this.timer = this.clock.timer(wait, () => {
      const silent = this.clock.monotonic() - this.since
      if (silent < this.limit) return this.arm()
      this.cancel()
      this.onExpire(this.phase, silent)
    })
  }
}
