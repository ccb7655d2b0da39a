/**
 * bash's `echo -e "$VALUE"`, byte for byte. marathon-lb's `run` writes `HAPROXY_SSL_CERT` and
 * `HAPROXY_SSL_CERT<i>` with it (spec §2.1 step 6), so operators pass PEM files as one-line
 * environment values with `\n` escapes; mlb must write exactly the bytes bash would.
 *
 * Follows bash's `ansicstr` in echo mode: `\a \b \e \E \f \n \r \t \v \\`, `\0nnn` (up to three
 * octal digits after the 0), `\xHH` (one or two hex digits), `\uHHHH` / `\UHHHHHHHH` (UTF-8, as in
 * a UTF-8 locale), `\c` (stop, no newline); every other backslash sequence (`\1`, `\q`, `\x` with no
 * hex digit, a trailing `\`) is kept as typed. A value made only of echo options (`-n`, `-eE`, …) is
 * taken as options, as bash does. A newline is appended unless `\c` or `-n` suppressed it.
 */

const SIMPLE: Readonly<Record<string, number>> = {a: 7, b: 8, e: 27, E: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92}

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7'
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c)

/**
 * UTF-8 bytes of a `\u`/`\U` value as bash's `u32toutf8` writes them: surrogates and values past
 * U+10FFFF included (old 5- and 6-byte forms), nothing at all above 0x7FFFFFFF.
 */
function utf8(cp: number): number[] {
  if (cp < 0x80) return [cp]
  if (cp > 0x7fffffff) return []
  const len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp < 0x200000 ? 4 : cp < 0x4000000 ? 5 : 6
  const bytes: number[] = []
  let v = cp
  for (let k = 1; k < len; k++) {
    bytes.unshift(0x80 | (v & 0x3f))
    v = Math.floor(v / 64)
  }
  const lead = [0, 0, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc][len]!
  bytes.unshift(lead | v)
  return bytes
}

/** Reads up to `max` digits accepted by `ok` from `chars` at `i`; returns value and count. */
function digits(chars: readonly string[], i: number, max: number, ok: (c: string | undefined) => boolean, base: number): {value: number; count: number} {
  let value = 0
  let count = 0
  while (count < max && ok(chars[i + count])) {
    value = value * base + Number.parseInt(chars[i + count]!, base)
    count++
  }
  return {value, count}
}

/** Interprets the escapes of one `echo -e` argument; `stopped` is true when `\c` was met. */
export function interpretEchoEscapes(value: string): {bytes: Buffer; stopped: boolean} {
  const chars = Array.from(value)
  const out: number[] = []
  const literal = (s: string): void => {
    out.push(...Buffer.from(s, 'utf8'))
  }
  let i = 0
  while (i < chars.length) {
    const c = chars[i]!
    const next = chars[i + 1]
    if (c !== '\\' || next === undefined) {
      literal(c)
      i++
      continue
    }
    i += 2
    const simple = SIMPLE[next]
    if (simple !== undefined) {
      out.push(simple)
    } else if (next === 'c') {
      return {bytes: Buffer.from(out), stopped: true}
    } else if (next === '0') {
      const d = digits(chars, i, 3, isOctal, 8)
      out.push(d.value & 0xff)
      i += d.count
    } else if (next === 'x') {
      const d = digits(chars, i, 2, isHex, 16)
      if (d.count === 0) literal('\\x')
      else out.push(d.value)
      i += d.count
    } else if (next === 'u' || next === 'U') {
      const d = digits(chars, i, next === 'u' ? 4 : 8, isHex, 16)
      if (d.count === 0) literal(`\\${next}`)
      else out.push(...utf8(d.value))
      i += d.count
    } else {
      // `\1`…`\7`, `\'`, `\"`, `\?` and unknown letters: echo keeps the backslash (ansicstr flag 1).
      literal(`\\${next}`)
    }
  }
  return {bytes: Buffer.from(out), stopped: false}
}

/** The bytes bash's `echo -e "$value"` writes to stdout. */
export function echoE(value: string): Buffer {
  // bash parses a word made only of n/e/E after `-` as more options, not as text to print.
  const opts = /^-[neE]+$/.exec(value)
  if (opts !== null) return value.includes('n') ? Buffer.alloc(0) : Buffer.from('\n')
  const {bytes, stopped} = interpretEchoEscapes(value)
  return stopped ? bytes : Buffer.concat([bytes, Buffer.from('\n')])
}
