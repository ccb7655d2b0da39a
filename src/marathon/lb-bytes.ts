/**
 * Shape-directed JSON parsing straight from bytes: the value at a position is parsed like
 * `JSON.parse`, except that objects described by a {@link Shape} keep only the shape's keys and
 * the other values are skipped without being built. For Marathon's `/v2/apps` body this is what
 * lets a 5,000-app state (21.5 MB) parse in a fraction of `JSON.parse`'s time: most bytes are
 * task timestamps, agent ids, env and the like, which load balancing never reads (spec §5.1a).
 *
 * Skipped values are checked for structure, numbers and literals (byte-scanner.ts); string
 * escapes are only checked in the values that are kept. Shapes and shared strings live in
 * lb-shape.ts and lb-strings.ts.
 */

import {ASIDE, ByteScanner, ESCAPED_KEY, FALSE, INCOMPLETE, listFrom, MINUS, NINE, NULL, STACK, TRUE, ZERO} from './byte-scanner.js'
import {builder, compileShape, type Compiled, type Shape} from './lb-shape.js'
import {CLOSE_ARR, CLOSE_OBJ, COLON, OPEN_ARR, OPEN_OBJ, QUOTE} from './json-bytes.js'

export type {Shape} from './lb-shape.js'

/** A parsed value and the index just after it. */
export interface Parsed {
  readonly value: unknown
  readonly end: number
}

/** Parses the value starting at `pos` (after optional white space); undefined when `buf` ends first. */
export type BytesParser = (buf: Buffer, pos: number) => Parsed | undefined

/** One parse over one buffer, on the shared scanner (byte-scanner.ts), where ASIDE means "not JSON". */
class Reader extends ByteScanner {
  /** The value at pos, projected to `shape` where it is an object or a list of objects. */
  projected(shape: Compiled): unknown {
    const c = this.ws()
    if (c === OPEN_OBJ) return this.shaped(shape)
    if (c !== OPEN_ARR) return this.value()
    const mark = STACK.length
    if (!this.openList()) return []
    do STACK.push(this.ws() === OPEN_OBJ ? this.shaped(shape) : this.value())
    while (this.more(CLOSE_ARR))
    return listFrom(mark)
  }

  /** An object with every key. */
  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (!this.openObject()) return out
    do {
      if (this.ws() !== QUOTE) this.stop()
      const key = this.string()
      this.colon()
      const v = this.value()
      // defineProperty: a "__proto__" key stays a plain property, as with JSON.parse
      if (key === '__proto__') Object.defineProperty(out, key, {value: v, writable: true, enumerable: true, configurable: true})
      else out[key] = v
    } while (this.more(CLOSE_OBJ))
    return out
  }

  private colon(): void {
    if (this.ws() !== COLON) this.stop()
    this.pos++
  }

  /** An object reduced to the keys of `shape` (the last of duplicate keys wins, as in JSON.parse). */
  private shaped(shape: Compiled): Record<string, unknown> {
    if (!this.openObject()) return {}
    const slots = shape.slots
    let order = 0
    let seen = 0
    do {
      let k = this.keyIndex(shape.keys)
      if (k === ESCAPED_KEY) {
        k = shape.names.indexOf(this.string())
        this.colon()
      }
      if (k < 0) {
        this.skip()
        continue
      }
      const v = this.member(shape, k)
      if ((seen & (1 << k)) === 0) {
        seen |= 1 << k
        order = order * 16 + k + 1
      }
      slots[k] = v
    } while (this.more(CLOSE_OBJ))
    const out = builder(shape, order)(slots)
    slots.fill(undefined)
    return out
  }

  /** The value of kept key `k` of `shape` at pos: its own reader's, else projected or whole. */
  private member(shape: Compiled, k: number): unknown {
    const read = shape.readers[k]
    if (read !== undefined) {
      const r = read(this.b, this.pos)
      if (r === undefined) throw INCOMPLETE
      if (r !== null) {
        this.pos = r.end
        return r.value
      }
    }
    const sub = shape.nested[k]
    return sub === undefined ? this.value() : this.projected(sub)
  }

  /** Any JSON value, built as JSON.parse builds it. */
  value(): unknown {
    const c = this.ws()
    if (c === QUOTE) return this.string()
    if (c === OPEN_OBJ) return this.object()
    if (c === OPEN_ARR) {
      const mark = STACK.length
      if (!this.openList()) return []
      do STACK.push(this.value())
      while (this.more(CLOSE_ARR))
      return listFrom(mark)
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number()
    const literal = c === 0x74 ? TRUE : c === 0x66 ? FALSE : c === 0x6e ? NULL : undefined
    if (literal === undefined) return this.stop()
    this.literal(literal)
    return literal === TRUE ? true : literal === FALSE ? false : null
  }

  /** Escapes are rare in Marathon's data: JSON.parse decodes (and checks) them. */
  protected override escapedString(): string {
    const open = this.pos
    this.pos = this.stringEnd()
    return JSON.parse(this.b.toString('utf8', open, this.pos)) as string
  }
}

/**
 * A {@link BytesParser} keeping, in objects at the top (or in a top-level list), only the keys
 * `shape` lists, projected further by its `nested` shapes; other values are returned whole.
 * Equals projecting `JSON.parse` of the same bytes with the same shape.
 */
export function shapedParser(shape: Shape): BytesParser {
  const compiled = compileShape(shape)
  return (buf, pos) => {
    const r = new Reader(buf, pos)
    const mark = STACK.length
    try {
      const value = r.projected(compiled)
      return {value, end: r.pos}
    } catch (err) {
      STACK.length = mark // elements of the lists left unfinished
      if (err === INCOMPLETE) return undefined
      if (err === ASIDE) throw new SyntaxError(`Unexpected token in JSON at position ${r.pos}`)
      throw err
    }
  }
}
