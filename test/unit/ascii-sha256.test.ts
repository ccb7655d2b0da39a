import {hash} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {asciiSha256Mod} from '../../src/model/ascii-sha256.js'
import {serverIdCandidate} from '../../src/model/naming.js'

/** The reference: node:crypto's digest read as one big integer, reduced with BigInt. */
function reference(s: string, modulus: number): number {
  return Number(BigInt(`0x${hash('sha256', s, 'hex')}`) % BigInt(modulus))
}

/** Deterministic pseudo-random printable ASCII (xorshift), so a failure is reproducible. */
function asciiStrings(count: number, maxLength: number): string[] {
  let x = 0x9e3779b9
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
  return Array.from({length: count}, () => String.fromCharCode(...Array.from({length: next() % (maxLength + 1)}, () => 0x20 + (next() % 0x5f))))
}

describe('asciiSha256Mod', () => {
  it('matches node:crypto for every length across the one-, two- and three-block boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const s = 'abcdefghijklmnopqrstuvwxyz0123456789_-.'.repeat(6).slice(0, n)
      expect(asciiSha256Mod(s, 32767), `length ${n}`).toBe(reference(s, 32767))
    }
  })

  it('matches node:crypto for 5,000 random ASCII strings and several moduli', () => {
    for (const s of asciiStrings(5000, 150)) {
      for (const m of [32767, 2, 1_000_003]) expect(asciiSha256Mod(s, m), JSON.stringify(s)).toBe(reference(s, m))
    }
  })

  it('matches node:crypto for control characters and DEL, which are ASCII too', () => {
    const s = '\u0000\u0001\t\n\u001f\u007f'
    expect(asciiSha256Mod(s, 32767)).toBe(reference(s, 32767))
  })

  it('declines anything above U+007F, whose UTF-8 bytes it does not encode', () => {
    expect(asciiSha256Mod('é', 32767)).toBeUndefined()
    expect(asciiSha256Mod('agent_\u{1F600}_10_0_0_1_80', 32767)).toBeUndefined()
  })
})

describe('serverIdCandidate', () => {
  it('gives the digest of the UTF-8 bytes for non-ASCII names (node:crypto route)', () => {
    for (const name of ['hôte_10_0_0_1_80', 'agent_\u{1F600}_10_0_0_1_80']) expect(serverIdCandidate(name)).toBe(reference(name, 32767))
  })
})
