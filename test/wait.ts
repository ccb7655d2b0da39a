/**
 * The one bounded polling helper of the test suite: tests wait for a condition, never for a
 * fixed time, and never forever.
 */

/**
 * Polls `fn` every `intervalMs` until it returns true (a throw counts as "not yet"); resolves
 * with the milliseconds it took, or rejects after `timeoutMs` naming `what` and the last error.
 */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition', intervalMs = 20): Promise<number> {
  const t0 = Date.now()
  let last: unknown
  for (;;) {
    try {
      if (await fn()) return Date.now() - t0
    } catch (err) {
      last = err
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
