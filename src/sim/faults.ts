/**
 * Request-level fault injection for one simulator instance: answer 5xx or never answer for the
 * next N requests, and add latency to every request. Event-stream faults live in
 * {@link EventStreams}; task faults go through the engine.
 */

/** What to do with one incoming request. */
export type FaultAction = {readonly kind: 'error'; readonly status: number} | {readonly kind: 'timeout'} | undefined

/** Mutable fault settings, shared by the test API and the admin endpoint. */
export class Faults {
  private errors = 0
  private errorStatus = 503
  private timeouts = 0
  /** Milliseconds added before every answer. */
  latencyMs = 0

  /** The next `count` requests (`Infinity`: all) get `status` (default 503) with a JSON message. */
  failNext(count: number, status = 503): void {
    this.errors = count
    this.errorStatus = status
  }

  /** The next `count` requests (`Infinity`: all, a hung host) are never answered. */
  timeoutNext(count: number): void {
    this.timeouts = count
  }

  /** Clears every fault. */
  reset(): void {
    this.errors = 0
    this.timeouts = 0
    this.latencyMs = 0
  }

  /** Consumes one pending fault, if any, for a request. */
  take(): FaultAction {
    if (this.timeouts > 0) {
      this.timeouts -= 1
      return {kind: 'timeout'}
    }
    if (this.errors > 0) {
      this.errors -= 1
      return {kind: 'error', status: this.errorStatus}
    }
    return undefined
  }

  /** Pending counts, for the admin endpoint (-1 = every request). */
  snapshot(): {errors: number; errorStatus: number; timeouts: number; latencyMs: number} {
    const n = (v: number): number => (v === Number.POSITIVE_INFINITY ? -1 : v)
    return {errors: n(this.errors), errorStatus: this.errorStatus, timeouts: n(this.timeouts), latencyMs: this.latencyMs}
  }
}
