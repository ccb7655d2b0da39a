/**
 * Finding the units (apps; a blue/green pair is one unit) that make a configuration invalid, by
 * bisection (issue 4; users-and-peers §3 idea 2) instead of marathon-lb's one-app-at-a-time
 * loop (spec §6.7), which runs `haproxy -c` once per app.
 *
 * Pure apart from the injected check. Behaviour, by construction:
 * - Units are kept in input order; the result's `valid` set was checked as a whole, so it is
 *   valid on its own (unless no check accepted anything, when `valid` is empty).
 * - Checks: with b bad units among N, at most about b·(2·⌈log2 N⌉ + 1) checks, plus one for
 *   the full set unless the caller says it already failed (`knownInvalid`).
 * - Units that are only bad together (two apps declaring the same backend): the earlier one in
 *   input order is kept, the later one is excluded, with the error its addition produced.
 * - Units that are only valid together (a frontend using a backend another app defines,
 *   marathon-lb issue #554): a unit excluded before its partner was accepted gets a second
 *   chance against the final valid set, so input order does not cause false exclusions.
 */

/** What a check returns: a verdict, optionally with the error message that explains it. */
export type CheckResult = boolean | {readonly valid: boolean; readonly error?: string}

/** Checks whether a configuration built from exactly `subset` is valid. */
export type SubsetCheck<T> = (subset: readonly T[]) => Promise<CheckResult>

/** A unit left out, with the message of the check that excluded it. */
export interface InvalidUnit<T> {
  readonly unit: T
  readonly error: string | undefined
}

/** Result of {@link findInvalidUnits}. */
export interface BisectResult<T> {
  readonly valid: T[]
  readonly invalid: InvalidUnit<T>[]
  /** Number of times the check ran. */
  readonly checks: number
}

/** Options of {@link findInvalidUnits}. */
export interface BisectOptions {
  /** The caller already knows the full set is invalid: skip that first check. */
  readonly knownInvalid?: boolean
  /** The error of that known failure, reported when it alone identifies the bad unit. */
  readonly fullSetError?: string
}

interface State<T> {
  readonly check: SubsetCheck<T>
  readonly accepted: T[]
  readonly rejected: {unit: T; index: number; error: string | undefined; acceptedBefore: number}[]
  checks: number
}

async function run<T>(st: State<T>, candidates: readonly T[]): Promise<{valid: boolean; error: string | undefined}> {
  st.checks++
  const r = await st.check([...st.accepted, ...candidates])
  return typeof r === 'boolean' ? {valid: r, error: undefined} : {valid: r.valid, error: r.error}
}

// Adds the good part of `candidates` to `accepted`; `known` is a verdict already established
// for `accepted ∪ candidates`, so the same check is never run twice.
async function search<T>(
  st: State<T>,
  candidates: readonly T[],
  offset: number,
  known: {valid: boolean; error: string | undefined} | undefined,
): Promise<void> {
  if (candidates.length === 0) return
  const verdict = known ?? (await run(st, candidates))
  if (verdict.valid) {
    st.accepted.push(...candidates)
    return
  }
  if (candidates.length === 1) {
    st.rejected.push({unit: candidates[0] as T, index: offset, error: verdict.error, acceptedBefore: st.accepted.length})
    return
  }
  const mid = Math.ceil(candidates.length / 2)
  const left = candidates.slice(0, mid)
  const right = candidates.slice(mid)
  const leftVerdict = await run(st, left)
  await search(st, left, offset, leftVerdict)
  // accepted ∪ left-good ∪ right is invalid when the whole left half was good: right holds a
  // bad unit, and checking it again would only repeat the failure we already saw.
  const rightKnown = leftVerdict.valid ? verdict : undefined
  await search(st, right, offset + mid, rightKnown)
}

/**
 * Splits `units` into those that can be served together and those that must be excluded,
 * each excluded unit with the error message of the check that excluded it.
 */
export async function findInvalidUnits<T>(
  units: readonly T[],
  isValid: SubsetCheck<T>,
  options: BisectOptions = {},
): Promise<BisectResult<T>> {
  const st: State<T> = {check: isValid, accepted: [], rejected: [], checks: 0}
  const known = options.knownInvalid === true ? {valid: false, error: options.fullSetError} : undefined
  await search(st, units, 0, known)
  const invalid: InvalidUnit<T>[] = []
  for (const r of st.rejected) {
    // A unit may have failed only because a partner accepted later was missing (#554).
    if (st.accepted.length > r.acceptedBefore) {
      const again = await run(st, [r.unit])
      if (again.valid) {
        st.accepted.push(r.unit)
        continue
      }
      invalid.push({unit: r.unit, error: again.error ?? r.error})
      continue
    }
    invalid.push({unit: r.unit, error: r.error})
  }
  const order = new Map(units.map((u, i) => [u, i] as const))
  const valid = [...st.accepted].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
  return {valid, invalid, checks: st.checks}
}
