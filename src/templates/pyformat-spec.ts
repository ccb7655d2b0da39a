/**
 * Python's format-spec mini-language (`[[fill]align][sign][#][0][width][,|_][.precision][type]`)
 * for the values templates see: strings, ints, floats, None/bools (spec §4.3). Pure.
 */
import {PyFormatError, pyStr, type PyValue} from './pyvalue.js'

interface Spec {
  fill: string
  align: '<' | '>' | '^' | '=' | undefined
  sign: '+' | '-' | ' ' | undefined
  alt: boolean
  zero: boolean
  width: number
  grouping: ',' | '_' | undefined
  precision: number | undefined
  type: string
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su

function parseSpec(spec: string): Spec {
  const m = SPEC_RE.exec(spec)
  if (m === null) throw new PyFormatError('ValueError', `Invalid format specifier '${spec}'`)
  const zero = m[5] !== undefined
  return {
    fill: m[1] ?? (zero && m[2] === undefined ? '0' : ' '),
    align: (m[2] as Spec['align']) ?? (zero ? '=' : undefined),
    sign: m[3] as Spec['sign'],
    alt: m[4] !== undefined,
    zero,
    width: m[6] === undefined ? 0 : Number(m[6]),
    grouping: m[7] as Spec['grouping'],
    precision: m[8] === undefined ? undefined : Number(m[8]),
    type: m[9] ?? '',
  }
}

/** `format(value, spec)` as Python does it for our value types. */
export function formatWithSpec(value: PyValue, spec: string): string {
  if (spec === '') return pyStr(value)
  const s = parseSpec(spec)
  if (typeof value === 'string') return formatString(value, s, spec)
  // bool is an int subclass in Python: format(True, '>3') → '  1'.
  if (typeof value === 'boolean') return formatNumber(value ? 1 : 0, s, spec)
  if (typeof value === 'number') return formatNumber(value, s, spec)
  const type = value === null ? 'NoneType' : Array.isArray(value) ? 'list' : 'dict'
  throw new PyFormatError('TypeError', `unsupported format string passed to ${type}.__format__`)
}

function formatString(value: string, s: Spec, spec: string): string {
  if ((s.type !== '' && s.type !== 's') || s.sign !== undefined || s.alt || s.grouping !== undefined || s.align === '=') {
    throw new PyFormatError('ValueError', `Invalid format specifier '${spec}' for object of type 'str'`)
  }
  const text = s.precision === undefined ? value : [...value].slice(0, s.precision).join('')
  return pad(text, s.width, s.fill, s.align ?? '<', '')
}

function formatNumber(n: number, s: Spec, spec: string): string {
  const negative = n < 0 || Object.is(n, -0)
  const abs = Math.abs(n)
  let body: string
  let prefix = ''
  const type = s.type === '' ? (Number.isInteger(n) ? 'd' : 'g') : s.type
  switch (type) {
    case 'd': case 'n': body = intDigits(abs, n, spec, 10); break
    case 'x': body = intDigits(abs, n, spec, 16); prefix = s.alt ? '0x' : ''; break
    case 'X': body = intDigits(abs, n, spec, 16).toUpperCase(); prefix = s.alt ? '0X' : ''; break
    case 'o': body = intDigits(abs, n, spec, 8); prefix = s.alt ? '0o' : ''; break
    case 'b': body = intDigits(abs, n, spec, 2); prefix = s.alt ? '0b' : ''; break
    case 'c': return pad(String.fromCodePoint(intCheck(n, spec)), s.width, s.fill, s.align ?? '<', '')
    case 'f': case 'F': body = abs.toFixed(s.precision ?? 6); break
    case 'e': case 'E': body = pyExp(abs, s.precision ?? 6, type); break
    case '%': body = `${(abs * 100).toFixed(s.precision ?? 6)}%`; break
    case 'g': case 'G': body = s.type === '' && s.precision === undefined ? pyStr(abs) : pyGeneral(abs, s.precision ?? 6, s.alt); break
    case 's': throw new PyFormatError('ValueError', `Unknown format code 's' for object of type '${Number.isInteger(n) ? 'int' : 'float'}'`)
    default: throw new PyFormatError('ValueError', `Invalid format specifier '${spec}'`)
  }
  if (s.grouping !== undefined) body = group(body, s.grouping)
  const sign = negative ? '-' : s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : ''
  return pad(body, s.width, s.fill, s.align ?? '>', sign + prefix)
}

function intCheck(n: number, spec: string): number {
  if (!Number.isInteger(n)) throw new PyFormatError('ValueError', `Unknown format code in '${spec}' for object of type 'float'`)
  return n
}

function intDigits(abs: number, n: number, spec: string, radix: number): string {
  intCheck(n, spec)
  return abs.toString(radix)
}

function pyExp(abs: number, precision: number, type: string): string {
  const [mant, exp] = abs.toExponential(precision).split('e') as [string, string]
  const e = Number(exp)
  const out = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  return type === 'E' ? out.toUpperCase() : out
}

function pyGeneral(abs: number, precision: number, alt: boolean): string {
  const p = precision === 0 ? 1 : precision
  const exp = abs === 0 ? 0 : Math.floor(Math.log10(abs))
  if (exp < -4 || exp >= p) {
    const s = pyExp(abs, p - 1, 'e')
    return alt ? s : s.replace(/\.?0+e/, 'e')
  }
  const s = abs.toFixed(Math.max(0, p - 1 - exp))
  return alt || !s.includes('.') ? s : s.replace(/\.?0+$/, '')
}

function group(body: string, sep: string): string {
  const [int, frac] = body.split('.') as [string, string | undefined]
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep)
  return frac === undefined ? grouped : `${grouped}.${frac}`
}

function pad(body: string, width: number, fill: string, align: string, signPrefix: string): string {
  const len = [...body].length + signPrefix.length
  if (len >= width) return signPrefix + body
  const n = width - len
  switch (align) {
    case '<': return signPrefix + body + fill.repeat(n)
    case '^': return fill.repeat(Math.floor(n / 2)) + signPrefix + body + fill.repeat(n - Math.floor(n / 2))
    case '=': return signPrefix + fill.repeat(n) + body
    default: return fill.repeat(n) + signPrefix + body
  }
}
