import {describe, expect, it} from 'vitest'
import {findInvalidUnits, type CheckResult} from '../../src/haproxy/bisect.js'

// A checker that behaves like `haproxy -c` on a rendered subset: invalid when the subset holds
// a bad unit, or both halves of a conflicting pair, or a unit whose required partner is missing.
interface Rules {
  readonly bad?: ReadonlySet<number>
  readonly conflicts?: ReadonlyArray<readonly [number, number]>
  readonly needs?: ReadonlyMap<number, number>
}

function checker(rules: Rules): {check: (s: readonly number[]) => Promise<CheckResult>; calls: () => number} {
  let calls = 0
  const check = async (subset: readonly number[]): Promise<CheckResult> => {
    calls++
    const set = new Set(subset)
    for (const u of subset) if (rules.bad?.has(u)) return {valid: false, error: `unit ${u} is broken`}
    for (const [a, b] of rules.conflicts ?? []) if (set.has(a) && set.has(b)) return {valid: false, error: `duplicate ${a}/${b}`}
    for (const [u, partner] of rules.needs ?? []) if (set.has(u) && !set.has(partner)) return {valid: false, error: `${u} needs ${partner}`}
    return true
  }
  return {check, calls: () => calls}
}

const range = (n: number): number[] => Array.from({length: n}, (_, i) => i)

describe('findInvalidUnits', () => {
  it('accepts everything with one check when the full set is valid', async () => {
    const c = checker({})
    const r = await findInvalidUnits(range(100), c.check)
    expect(r).toEqual({valid: range(100), invalid: [], checks: 1})
  })

  const bounds = [
    {desc: 'N=100, 1 bad', n: 100, bad: [0]},
    {desc: 'N=100, 1 bad (middle)', n: 100, bad: [57]},
    {desc: 'N=100, 1 bad (last)', n: 100, bad: [99]},
    {desc: 'N=1000, 1 bad', n: 1000, bad: [613]},
    {desc: 'N=1000, 3 bad', n: 1000, bad: [3, 500, 998]},
  ]
  for (const tc of bounds) {
    it(`${tc.desc}: finds exactly the bad units within 2·log2(N)+1 checks each`, async () => {
      // Every position of the bad unit, for the single-bad cases, to find the worst case.
      const positions = tc.bad.length === 1 ? range(tc.n).map((p) => [p]) : [tc.bad]
      let worst = 0
      for (const bad of positions) {
        const c = checker({bad: new Set(bad)})
        const full = await c.check(range(tc.n))
        const fullSetError = typeof full === 'boolean' ? undefined : full.error
        const r = await findInvalidUnits(range(tc.n), c.check, {knownInvalid: true, ...(fullSetError ? {fullSetError} : {})})
        expect(r.invalid.map((i) => i.unit)).toEqual(bad)
        expect(r.invalid[0]?.error).toBe(`unit ${bad[0]} is broken`)
        expect(r.valid).toEqual(range(tc.n).filter((u) => !bad.includes(u)))
        expect(r.checks).toBe(c.calls() - 1)
        worst = Math.max(worst, r.checks)
      }
      const bound = tc.bad.length * (2 * Math.ceil(Math.log2(tc.n)) + 1)
      expect(worst).toBeLessThanOrEqual(bound)
      if (tc.n === 100 && tc.bad.length === 1) expect(worst).toBeLessThanOrEqual(15)
    })
  }

  it('runs the full-set check itself unless told it already failed', async () => {
    const a = checker({bad: new Set([10])})
    const b = checker({bad: new Set([10])})
    const withFull = await findInvalidUnits(range(64), a.check)
    const known = await findInvalidUnits(range(64), b.check, {knownInvalid: true})
    expect(withFull.checks).toBe(known.checks + 1)
  })

  it('keeps the earlier of two units that are only bad together', async () => {
    const c = checker({conflicts: [[12, 40]]})
    const r = await findInvalidUnits(range(50), c.check)
    expect(r.invalid).toEqual([{unit: 40, error: 'duplicate 12/40'}])
    expect(r.valid).toContain(12)
  })

  it('gives a unit that needs a later partner a second chance (marathon-lb #554)', async () => {
    // 5 needs 30 (a frontend using a backend another app defines); 17 is really broken.
    const c = checker({bad: new Set([17]), needs: new Map([[5, 30]])})
    const r = await findInvalidUnits(range(40), c.check)
    expect(r.invalid).toEqual([{unit: 17, error: 'unit 17 is broken'}])
    expect(r.valid).toEqual(range(40).filter((u) => u !== 17))
  })

  it('excludes a unit whose partner never comes, with the error that excluded it', async () => {
    const c = checker({needs: new Map([[3, 99]])})
    const r = await findInvalidUnits(range(10), c.check)
    expect(r.invalid).toEqual([{unit: 3, error: '3 needs 99'}])
  })

  it('excludes everything when every unit is bad, and handles empty input', async () => {
    const c = checker({bad: new Set(range(5))})
    const r = await findInvalidUnits(range(5), c.check)
    expect(r.valid).toEqual([])
    expect(r.invalid.map((i) => i.unit)).toEqual(range(5))
    expect(await findInvalidUnits([], c.check)).toEqual({valid: [], invalid: [], checks: 0})
  })

  it('accepts a plain boolean checker', async () => {
    const r = await findInvalidUnits(['a', 'b', 'c'], async (s) => !s.includes('b'))
    expect(r.valid).toEqual(['a', 'c'])
    expect(r.invalid).toEqual([{unit: 'b', error: undefined}])
  })
})
