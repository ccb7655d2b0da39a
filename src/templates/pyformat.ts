/**
 * marathon-lb's user template syntax: Python `str.format(**kwargs)` (spec §4.3). Users keep
 * writing `{backend}`, `{{`/`}}` and `{healthCheck[path]}` in labels, env variables and template
 * files, so mlb parses that syntax once into a small program and renders it with Python's
 * `str()`/`repr()` of the values. Pure: no I/O.
 */
import {formatWithSpec} from './pyformat-spec.js'
import {PyFormatError, pyRepr, pyStr, type PyValue} from './pyvalue.js'

export {PyFormatError, pyRepr, pyStr, type PyValue} from './pyvalue.js'

/** One `{field!conv:spec}` replacement field. */
interface Field {
  readonly kind: 'field'
  /** Top-level keyword name (`healthCheck` in `healthCheck[path]`). */
  readonly name: string
  /** Item / attribute accessors after the name, in order. */
  readonly access: readonly {readonly item: boolean; readonly key: string}[]
  readonly conversion: 'r' | 's' | 'a' | undefined
  /** The format spec, itself a program (Python allows nested fields in the spec). */
  readonly spec: PyFormat | undefined
}

/** A parsed format string: literal text and replacement fields. */
export interface PyFormat {
  readonly parts: readonly (string | Field)[]
  /** Every top-level keyword the program reads (for validation against a call site). */
  readonly names: readonly string[]
}

/** Parses a format string; throws {@link PyFormatError} (ValueError) on a stray brace. */
export function parsePyFormat(text: string): PyFormat {
  const names = new Set<string>()
  const parts = parseParts(text, names, 0)
  return {parts, names: [...names]}
}

function parseParts(text: string, names: Set<string>, depth: number): (string | Field)[] {
  const parts: (string | Field)[] = []
  let literal = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i] as string
    if (ch === '{') {
      if (text[i + 1] === '{') {
        literal += '{'
        i += 2
        continue
      }
      const end = fieldEnd(text, i)
      if (literal !== '') parts.push(literal)
      literal = ''
      parts.push(parseField(text.slice(i + 1, end), names, depth))
      i = end + 1
      continue
    }
    if (ch === '}') {
      if (text[i + 1] !== '}') throw new PyFormatError('ValueError', "Single '}' encountered in format string")
      literal += '}'
      i += 2
      continue
    }
    literal += ch
    i++
  }
  if (literal !== '') parts.push(literal)
  return parts
}

/** Index of the `}` closing the field opened at `start`, honouring nested `{}` in the spec. */
function fieldEnd(text: string, start: number): number {
  let depth = 0
  let inBracket = false
  for (let i = start; i < text.length; i++) {
    const ch = text[i]
    if (inBracket) {
      if (ch === ']') inBracket = false
      continue
    }
    if (ch === '[' && depth === 1) inBracket = true
    else if (ch === '{') depth++
    else if (ch === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  throw new PyFormatError('ValueError', "expected '}' before end of string")
}

function parseField(body: string, names: Set<string>, depth: number): Field {
  // The field name ends at the first '!' or ':' outside brackets (Python's rule).
  let i = 0
  let inBracket = false
  for (; i < body.length; i++) {
    const ch = body[i]
    if (inBracket) {
      if (ch === ']') inBracket = false
    } else if (ch === '[') inBracket = true
    else if (ch === '!' || ch === ':') break
  }
  const fieldName = body.slice(0, i)
  let conversion: Field['conversion']
  let rest = body.slice(i)
  if (rest.startsWith('!')) {
    const conv = rest[1]
    if (conv !== 'r' && conv !== 's' && conv !== 'a') throw new PyFormatError('ValueError', `Unknown conversion specifier ${conv ?? ''}`)
    if (rest.length > 2 && rest[2] !== ':') throw new PyFormatError('ValueError', 'expected \':\' after conversion specifier')
    conversion = conv
    rest = rest.slice(2)
  }
  let spec: PyFormat | undefined
  if (rest.startsWith(':')) {
    if (depth >= 1) throw new PyFormatError('ValueError', 'Max string recursion exceeded')
    const specNames = new Set<string>()
    spec = {parts: parseParts(rest.slice(1), specNames, depth + 1), names: [...specNames]}
    for (const n of specNames) names.add(n)
  }
  const {name, access} = parseFieldName(fieldName)
  names.add(name)
  return {kind: 'field', name, access, conversion, spec}
}

function parseFieldName(fieldName: string): {name: string; access: Field['access']} {
  const m = /^[^.[]*/.exec(fieldName)
  const name = m === null ? '' : m[0]
  const access: {item: boolean; key: string}[] = []
  let rest = fieldName.slice(name.length)
  while (rest !== '') {
    if (rest.startsWith('.')) {
      const a = /^\.([^.[]*)/.exec(rest)
      const key = a?.[1] ?? ''
      if (key === '') throw new PyFormatError('ValueError', 'Empty attribute in format string')
      access.push({item: false, key})
      rest = rest.slice(key.length + 1)
    } else if (rest.startsWith('[')) {
      const close = rest.indexOf(']')
      if (close < 0) throw new PyFormatError('ValueError', "Missing ']' in format string")
      access.push({item: true, key: rest.slice(1, close)})
      rest = rest.slice(close + 1)
      if (rest !== '' && !rest.startsWith('.') && !rest.startsWith('['))
        throw new PyFormatError('ValueError', "Only '.' or '[' may follow ']' in format field specifier")
    } else break
  }
  return {name, access}
}

/** The keyword arguments of one call site. */
export type PyKwargs = Readonly<Record<string, PyValue>>

/** Renders a parsed program like `fmt.format(**kwargs)`; throws {@link PyFormatError}. */
export function renderPyFormat(fmt: PyFormat, kwargs: PyKwargs): string {
  let out = ''
  for (const part of fmt.parts) {
    if (typeof part === 'string') out += part
    else out += renderField(part, kwargs)
  }
  return out
}

function renderField(field: Field, kwargs: PyKwargs): string {
  if (field.name === '' || /^\d+$/.test(field.name)) {
    throw new PyFormatError('IndexError', `Replacement index ${field.name === '' ? 0 : field.name} out of range for positional args tuple`)
  }
  if (!Object.prototype.hasOwnProperty.call(kwargs, field.name)) throw new PyFormatError('KeyError', `'${field.name}'`)
  let value = kwargs[field.name] as PyValue
  for (const a of field.access) value = access(value, a)
  const spec = field.spec === undefined ? '' : renderPyFormat(field.spec, kwargs)
  if (field.conversion === 'r' || field.conversion === 'a') return formatWithSpec(pyRepr(value), spec)
  if (field.conversion === 's') return formatWithSpec(pyStr(value), spec)
  return formatWithSpec(value, spec)
}

function access(value: PyValue, a: {readonly item: boolean; readonly key: string}): PyValue {
  if (!a.item) throw new PyFormatError('AttributeError', `object has no attribute '${a.key}'`)
  const index = /^\d+$/.test(a.key) ? Number(a.key) : undefined
  if (Array.isArray(value) || typeof value === 'string') {
    if (index === undefined) throw new PyFormatError('TypeError', 'indices must be integers')
    const v = (value as readonly PyValue[] | string)[index]
    if (v === undefined) throw new PyFormatError('IndexError', 'index out of range')
    return v
  }
  if (value !== null && typeof value === 'object') {
    const dict = value as Readonly<Record<string, PyValue>>
    // Python looks a digit key up as an int; JSON objects only have string keys, so it misses.
    if (index !== undefined || !Object.prototype.hasOwnProperty.call(dict, a.key)) throw new PyFormatError('KeyError', `'${a.key}'`)
    return dict[a.key] as PyValue
  }
  throw new PyFormatError('TypeError', `'${pyTypeName(value)}' object is not subscriptable`)
}

function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return typeof value
}
