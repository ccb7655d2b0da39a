/**
 * SHA-256 (FIPS 180-4) of an ASCII string, reduced modulo a small number: the server-id rule of
 * spec §5.7 needs it for every server of every regeneration (25,000 names at 5,000 apps). Each
 * `crypto.hash()` call pays a trip into C++ that costs more than hashing a one-block name here,
 * so names are hashed in JavaScript, in place, without a digest buffer. Anything that is not
 * ASCII returns undefined and the caller uses node:crypto, which is also the reference of the
 * tests (test/unit/ascii-sha256.test.ts).
 */

const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
)
const INITIAL = Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

/** Message schedule and state, reused by every call (the function never re-enters). */
const W = new Int32Array(64)
const H = new Int32Array(8)

/**
 * `int(sha256(s).hexdigest(), 16) % modulus` for an ASCII `s`, or undefined when `s` has a
 * character above U+007F. `modulus` must be below 2^21, so that the 32-bit reduction steps stay
 * exact in a double.
 */
export function asciiSha256Mod(s: string, modulus: number): number | undefined {
  const n = s.length
  // Every character is ORed into `wide` as the words are filled (one pass over the name, not two);
  // a name found not to be ASCII is given up at the end, a rare wasted hash.
  let wide = 0
  for (let i = n & ~3; i < n; i++) wide |= s.charCodeAt(i) // the last 0–3, in a padded word
  H.set(INITIAL)
  // Message, one 0x80 byte, zeros, and the bit length in the last 8 bytes of the last block.
  const blocks = ((n + 8) >> 6) + 1
  for (let block = 0; block < blocks; block++) {
    const base = block << 6
    for (let j = 0; j < 16; j++) {
      const p = base + (j << 2)
      if (p + 3 < n) {
        const a = s.charCodeAt(p)
        const b = s.charCodeAt(p + 1)
        const c = s.charCodeAt(p + 2)
        const d = s.charCodeAt(p + 3)
        wide |= a | b | c | d
        W[j] = (a << 24) | (b << 16) | (c << 8) | d
      } else {
        W[j] = (paddedByte(s, p) << 24) | (paddedByte(s, p + 1) << 16) | (paddedByte(s, p + 2) << 8) | paddedByte(s, p + 3)
      }
    }
    if (block === blocks - 1) {
      W[14] = Math.floor(n / 0x20000000) // high word of 8 × n
      W[15] = n << 3
    }
    compress()
  }
  if (wide > 0x7f) return undefined
  let rest = 0
  for (let i = 0; i < 8; i++) rest = (rest * 0x100000000 + (H[i]! >>> 0)) % modulus
  return rest
}

/** Byte `p` of the padded message, for the words that reach past the string's end. */
function paddedByte(s: string, p: number): number {
  return p < s.length ? s.charCodeAt(p) : p === s.length ? 0x80 : 0
}

/** One SHA-256 compression of the block in W[0..15] into H. */
function compress(): void {
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!
    const b = W[i - 2]!
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  // Int32Array stores wrap to 32 bits, as the additions mod 2^32 require.
  H[0] = H[0]! + a
  H[1] = H[1]! + b
  H[2] = H[2]! + c
  H[3] = H[3]! + d
  H[4] = H[4]! + e
  H[5] = H[5]! + f
  H[6] = H[6]! + g
  H[7] = H[7]! + h
}
