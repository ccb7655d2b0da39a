/**
 * Reconnect back-off of the event stream. eventsource 4 retries at a fixed delay and gives up
 * for good on any non-200 answer (dependencies §2), so mlb closes it on every error and decides
 * the next attempt here. Pure: the caller passes the random source and the stream's age.
 */

/** Back-off parameters (all milliseconds). */
export interface BackoffOptions {
  /** First window (marathon-lb: 3 s). */
  readonly initialMs: number
  /** Growth per failed attempt (marathon-lb: 1.5). */
  readonly factor: number
  /** Cap on the window (`--max-backoff`, marathon-lb default 300 s). */
  readonly maxMs: number
  /** A stream open at least this long resets the window (marathon-lb: 600 s). */
  readonly stableMs: number
}

/**
 * Defaults. The first window is 1 s rather than marathon-lb's 3 s so that a dropped stream is
 * back within the 5 s convergence budget; growth, cap and reset are marathon-lb's.
 */
export const DEFAULT_BACKOFF: BackoffOptions = {initialMs: 1_000, factor: 1.5, maxMs: 300_000, stableMs: 600_000}

/** Smallest window: with the jitter, at least 50 ms between attempts. */
export const MIN_WINDOW_MS = 100

/** {@link DEFAULT_BACKOFF} with marathon-lb's `--max-backoff` (seconds) as the cap. */
export function backoffWithMax(maxBackoffSeconds: number): BackoffOptions {
  return {...DEFAULT_BACKOFF, maxMs: Math.max(0, maxBackoffSeconds) * 1000}
}

/** Exponential back-off with jitter, reset after a stable connection. */
export class Backoff {
  private attempt = 0
  private readonly opts: BackoffOptions

  constructor(opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.opts = opts
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt
  }

  /** Forgets earlier failures (the stream was stable). */
  reset(): void {
    this.attempt = 0
  }

  /**
   * The current window without jitter: `min(max, initial × factor^attempts)`, never below
   * {@link MIN_WINDOW_MS} so that `--max-backoff 0` cannot turn into a tight reconnect loop.
   */
  window(): number {
    return Math.max(MIN_WINDOW_MS, Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.factor ** this.attempt))
  }

  /**
   * Delay before the next attempt after a stream that lived `openMs` (0 if it never opened).
   * A stable stream resets the window first. The delay is uniform in [window/2, window)
   * ("equal jitter"): spread like marathon-lb's uniform [0, window) so that many load balancers
   * do not reconnect in step after a leader change, but never near zero, so a host that fails
   * at once cannot be hammered in a tight loop.
   */
  next(openMs: number, random: () => number): number {
    if (openMs >= this.opts.stableMs) this.reset()
    const w = this.window()
    if (w < Math.max(this.opts.maxMs, MIN_WINDOW_MS)) this.attempt++
    return Math.round(w / 2 + (w / 2) * Math.min(Math.max(random(), 0), 1))
  }
}
