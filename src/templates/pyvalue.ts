/**
 * Python's `str()` and `repr()` of the JSON-like values templates receive (spec §4.3): `None`,
 * `True`/`False`, integers in decimal, dicts as `{'path': '/', …}`. Pure.
 */

/** A value a template placeholder can hold (JSON with nulls, as Python sees it). */
export type PyValue = string | number | boolean | null | readonly PyValue[] | {readonly [key: string]: PyValue}

/** Python `str(value)`. */
export function pyStr(value: PyValue): string {
  if (typeof value === 'string') return value
  return pyRepr(value)
}

/** Python `repr(value)`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return pyNumber(value)
  if (typeof value === 'string') return pyStringRepr(value)
  if (Array.isArray(value)) return `[${(value as readonly PyValue[]).map(pyRepr).join(', ')}]`
  const dict = value as {readonly [key: string]: PyValue}
  return `{${Object.keys(dict).map((k) => `${pyStringRepr(k)}: ${pyRepr(dict[k] as PyValue)}`).join(', ')}}`
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n)
  if (Number.isNaN(n)) return 'nan'
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
  // Python prints floats with the shortest round-trip repr, like JS, but as 1e+16 → 1e+16.
  const s = String(n)
  return s.includes('e') || s.includes('.') ? s : `${s}.0`
}

/** Python's repr of a str: single quotes unless the text has a `'` and no `"`. */
function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const code = ch.codePointAt(0) as number
    if (ch === quote || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out + quote
}

/** A Python `str.format` failure, with the exception class Python would raise. */
export class PyFormatError extends Error {
  readonly pyType: 'ValueError' | 'KeyError' | 'IndexError' | 'TypeError' | 'AttributeError'
  constructor(pyType: PyFormatError['pyType'], message: string) {
    super(`${pyType}: ${message}`)
    this.name = 'PyFormatError'
    this.pyType = pyType
  }
}

