/** Bounded polling, shared by the supervisor, the reloader and tests. */
import type {Clock} from '../clock.js'

/** Options of {@link waitFor}. */
export interface WaitOptions {
  readonly clock: Clock
  readonly timeoutMs: number
  readonly intervalMs: number
}

/**
 * Calls `probe` until it returns something other than undefined or the time is up; resolves
 * with that value, or undefined on timeout. Probes are sequential, never overlapping.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T | undefined> {
  const deadline = options.clock.monotonic() + options.timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    const left = deadline - options.clock.monotonic()
    if (left <= 0) return undefined
    await options.clock.sleep(Math.min(options.intervalMs, left))
  }
}
