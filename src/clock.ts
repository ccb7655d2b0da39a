/**
 * Time goes through a Clock (style rule 3) so that waits, timeouts and stamps can be faked in
 * tests. `systemClock` is the only place that touches the real timers.
 */

/** Cancellable timer handle returned by {@link Clock.timer}. */
export interface TimerHandle {
  cancel(): void
}

/** Source of time and delays. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Monotonic milliseconds, for durations. */
  monotonic(): number
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `fn` once after `ms` unless cancelled. */
  timer(ms: number, fn: () => void): TimerHandle
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = (): void => {
        clearTimeout(t)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, {once: true})
    }),
  timer: (ms, fn) => {
    const t = setTimeout(fn, ms)
    return {cancel: () => clearTimeout(t)}
  },
}
