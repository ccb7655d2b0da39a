/**
 * Parses Marathon's `/v2/apps` body straight from its bytes, one app at a time. A 5,000-app body
 * is ~20 MB: decoding it into one string and `JSON.parse`-ing that holds bytes, string and object
 * graph at once (≈190 MB peak RSS, issue 2's budget is 180 MB), while small per-app strings die
 * young. The result equals `JSON.parse(text)`; anything off the `{"apps": [...]}` shape, and
 * every syntax error, goes through plain `JSON.parse` so errors and odd bodies behave the same.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJ = 0x7b
const CLOSE_OBJ = 0x7d
const OPEN_ARR = 0x5b
const CLOSE_ARR = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

class Fallback extends Error {}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function skipWs(buf: Uint8Array, i: number): number {
  while (isWs(buf[i])) i++
  return i
}

/** Index just past the string that starts at `i` (a `"`). */
function endOfString(buf: Uint8Array, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j]
    if (c === BACKSLASH) j++
    else if (c === QUOTE) return j + 1
  }
  throw new Fallback()
}

/** Index just past the JSON value that starts at `i` (not validated: JSON.parse does that). */
function endOfValue(buf: Uint8Array, i: number): number {
  const first = buf[i]
  if (first === QUOTE) return endOfString(buf, i)
  if (first !== OPEN_OBJ && first !== OPEN_ARR) {
    let j = i
    while (j < buf.length && buf[j] !== COMMA && buf[j] !== CLOSE_OBJ && buf[j] !== CLOSE_ARR && !isWs(buf[j])) j++
    return j
  }
  let depth = 0
  for (let j = i; j < buf.length; j++) {
    const c = buf[j]
    if (c === QUOTE) j = endOfString(buf, j) - 1
    else if (c === OPEN_OBJ || c === OPEN_ARR) depth++
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--depth === 0) return j + 1
    }
  }
  throw new Fallback()
}

function parseSlice(buf: Buffer, start: number, end: number): unknown {
  return JSON.parse(buf.toString('utf8', start, end))
}

/** Parses the array starting at `i`, element by element; returns it and the index after `]`. */
function parseArray(buf: Buffer, i: number): [unknown[], number] {
  const out: unknown[] = []
  let j = skipWs(buf, i + 1)
  if (buf[j] === CLOSE_ARR) return [out, j + 1]
  for (;;) {
    const end = endOfValue(buf, j)
    out.push(parseSlice(buf, j, end))
    j = skipWs(buf, end)
    if (buf[j] === CLOSE_ARR) return [out, j + 1]
    if (buf[j] !== COMMA) throw new Fallback()
    j = skipWs(buf, j + 1)
  }
}

function parseTopObject(buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let i = skipWs(buf, 0)
  if (buf[i] !== OPEN_OBJ) throw new Fallback()
  i = skipWs(buf, i + 1)
  if (buf[i] === CLOSE_OBJ) i++
  else {
    for (;;) {
      if (buf[i] !== QUOTE) throw new Fallback()
      const keyEnd = endOfString(buf, i)
      const key = parseSlice(buf, i, keyEnd) as string
      i = skipWs(buf, keyEnd)
      if (buf[i] !== COLON) throw new Fallback()
      i = skipWs(buf, i + 1)
      let value: unknown
      if (key === 'apps' && buf[i] === OPEN_ARR) [value, i] = parseArray(buf, i)
      else {
        const end = endOfValue(buf, i)
        value = parseSlice(buf, i, end)
        i = end
      }
      // defineProperty: a "__proto__" key must stay a plain property, as with JSON.parse
      Object.defineProperty(out, key, {value, writable: true, enumerable: true, configurable: true})
      i = skipWs(buf, i)
      if (buf[i] === CLOSE_OBJ) {
        i++
        break
      }
      if (buf[i] !== COMMA) throw new Fallback()
      i = skipWs(buf, i + 1)
    }
  }
  if (skipWs(buf, i) !== buf.length) throw new Fallback()
  return out
}

/** `JSON.parse` of a UTF-8 body, app by app when it has Marathon's shape; throws SyntaxError like JSON.parse. */
export function parseAppsBody(buf: Buffer): unknown {
  try {
    return parseTopObject(buf)
  } catch {
    return JSON.parse(buf.toString('utf8'))
  }
}
