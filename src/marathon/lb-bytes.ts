/**
 * Shape-directed JSON parsing straight from bytes: the value at a position is parsed like
 * `JSON.parse`, except that objects described by a {@link Shape} keep only the shape's keys and
 * the other values are skipped without being built. For Marathon's `/v2/apps` body this is what
 * lets a 5,000-app state (21.5 MB) parse in a fraction of `JSON.parse`'s time: most bytes are
 * task timestamps, agent ids, env and the like, which load balancing never reads (spec §5.1a).
 *
 * Skipped values are checked for structure (brackets, commas, colons, string ends, literals);
 * number formats and string escapes are only checked in the values that are kept.
 *
 * Longer than the usual 300 lines on purpose: the whole JSON grammar (kept, shaped and skipped
 * values) reads in one class; shapes and shared strings live in lb-shape.ts and lb-strings.ts.
 */

import {asciiString} from './lb-strings.js'
import {builder, compileShape, type Compiled, type Shape} from './lb-shape.js'
import {BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE} from './json-bytes.js'

export type {Shape} from './lb-shape.js'

/** A parsed value and the index just after it. */
export interface Parsed {
  readonly value: unknown
  readonly end: number
}

/** Parses the value starting at `pos` (after optional white space); undefined when `buf` ends first. */
export type BytesParser = (buf: Buffer, pos: number) => Parsed | undefined

const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39
const DOT = 0x2e

/**
 * Buffer's own decoders: `toString(encoding, start, end)` dispatches through several JS layers
 * per call, which shows for the ~200,000 short strings of a 5,000-app body.
 */
interface Decoders {
  latin1Slice(start: number, end: number): string
  utf8Slice(start: number, end: number): string
}

/** Thrown when the bytes end inside the value: the caller retries with more bytes. */
const INCOMPLETE = Symbol('incomplete')
const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')
const NULL = Buffer.from('null')

/**
 * Elements of the lists being parsed, innermost last: a list is copied out at its exact length
 * once complete (a list grown by push keeps room for 16 more elements; most here hold one).
 */
const STACK: unknown[] = []

function popArray(mark: number): unknown[] {
  const out = STACK.slice(mark)
  STACK.length = mark
  return out
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE
}

/** One parse over one buffer; fields rather than closures keep the hot paths monomorphic. */
class Reader {
  pos: number
  private readonly len: number

  constructor(private readonly buf: Buffer, pos: number) {
    this.pos = pos
    this.len = buf.length
  }

  /**
   * The byte at `j`, or -1 past the end. Never read a typed array out of bounds here: once V8
   * has seen such a read yield `undefined`, the function's byte comparisons all become generic.
   */
  private at(j: number): number {
    return j < this.len ? this.buf[j]! : -1
  }

  private fail(): never {
    if (this.pos >= this.len) throw INCOMPLETE
    throw new SyntaxError(`Unexpected token in JSON at position ${this.pos}`)
  }

  /** The next byte that is not white space (not consumed). */
  private peek(): number {
    const b = this.buf
    let p = this.pos
    while (p < this.len) {
      const c = b[p]!
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p
        return c
      }
      p++
    }
    this.pos = p
    throw INCOMPLETE
  }

  private expect(c: number): void {
    if (this.peek() !== c) this.fail()
    this.pos++
  }

  /** After a member or element: true for `,`, false for the closing bracket. */
  private more(close: number): boolean {
    const c = this.peek()
    this.pos++
    if (c === COMMA) return true
    if (c === close) return false
    this.pos--
    return this.fail()
  }

  /** The value at pos, projected to `shape` where it is an object or a list of objects. */
  projected(shape: Compiled): unknown {
    const c = this.peek()
    if (c === OPEN_OBJ) return this.shaped(shape)
    if (c !== OPEN_ARR) return this.value()
    this.pos++
    const mark = STACK.length
    if (this.peek() === CLOSE_ARR) {
      this.pos++
      return []
    }
    do STACK.push(this.peek() === OPEN_OBJ ? this.shaped(shape) : this.value())
    while (this.more(CLOSE_ARR))
    return popArray(mark)
  }

  /** An object with every key. */
  private object(): Record<string, unknown> {
    this.pos++
    const out: Record<string, unknown> = {}
    if (this.peek() === CLOSE_OBJ) {
      this.pos++
      return out
    }
    do {
      if (this.peek() !== QUOTE) this.fail()
      const key = this.string()
      this.expect(COLON)
      const v = this.value()
      // defineProperty: a "__proto__" key stays a plain property, as with JSON.parse
      if (key === '__proto__') Object.defineProperty(out, key, {value: v, writable: true, enumerable: true, configurable: true})
      else out[key] = v
    } while (this.more(CLOSE_OBJ))
    return out
  }

  /** An object reduced to the keys of `shape` (the last of duplicate keys wins, as in JSON.parse). */
  private shaped(shape: Compiled): Record<string, unknown> {
    this.pos++
    if (this.peek() === CLOSE_OBJ) {
      this.pos++
      return {}
    }
    const slots = shape.slots
    let order = 0
    let seen = 0
    do {
      if (this.peek() !== QUOTE) this.fail()
      let k = this.keyIndex(shape)
      if (k === -2) k = shape.names.indexOf(this.string())
      this.expect(COLON)
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
      const r = read(this.buf, this.pos)
      if (r === undefined) throw INCOMPLETE
      if (r !== null) {
        this.pos = r.end
        return r.value
      }
    }
    const sub = shape.nested[k]
    return sub === undefined ? this.value() : this.projected(sub)
  }

  /**
   * Index in `shape` of the key at pos (consumed), -1 when it is not kept (consumed), -2 when
   * it has escapes (not consumed: decoded with {@link string}, then looked up by name).
   */
  private keyIndex(shape: Compiled): number {
    const b = this.buf
    const start = this.pos + 1
    let q = start
    for (;;) {
      if (q >= this.len) {
        this.pos = q
        throw INCOMPLETE
      }
      const c = b[q]!
      if (c === QUOTE) break
      if (c === BACKSLASH) return -2
      q++
    }
    this.pos = q + 1
    const n = q - start
    for (let i = 0; i < shape.bytes.length; i++) {
      const k = shape.bytes[i]!
      if (k.length !== n) continue
      let j = 0
      while (j < n && k[j] === b[start + j]) j++
      if (j === n) return i
    }
    return -1
  }

  /** Any JSON value, built as JSON.parse builds it. */
  value(): unknown {
    const c = this.peek()
    if (c === QUOTE) return this.string()
    if (c === OPEN_OBJ) return this.object()
    if (c === OPEN_ARR) {
      this.pos++
      const mark = STACK.length
      if (this.peek() === CLOSE_ARR) {
        this.pos++
        return []
      }
      do STACK.push(this.value())
      while (this.more(CLOSE_ARR))
      return popArray(mark)
    }
    if (c === MINUS || isDigit(c)) return this.number()
    if (this.literal(TRUE)) return true
    if (this.literal(FALSE)) return false
    if (this.literal(NULL)) return null
    return this.fail()
  }

  private literal(word: Buffer): boolean {
    const b = this.buf
    const p = this.pos
    for (let i = 0; i < word.length; i++) {
      if (p + i >= this.len) throw INCOMPLETE
      if (b[p + i] !== word[i]) return false
    }
    this.pos = p + word.length
    return true
  }

  private string(): string {
    const b = this.buf
    const start = this.pos + 1
    let j = start
    let ascii = true
    for (;;) {
      if (j >= this.len) {
        this.pos = j
        throw INCOMPLETE
      }
      const c = b[j]!
      if (c === QUOTE) break
      if (c === BACKSLASH) {
        // Escapes are rare in Marathon's data: JSON.parse decodes (and checks) them.
        this.pos = this.stringEnd(j)
        return JSON.parse(b.toString('utf8', start - 1, this.pos)) as string
      }
      if (c < 0x20) {
        this.pos = j
        this.fail()
      }
      if (c >= 0x80) ascii = false
      j++
    }
    this.pos = j + 1
    const d = b as unknown as Decoders
    return ascii ? asciiString(b, start, j) : d.utf8Slice(start, j)
  }

  /** Index after the closing quote of the string containing index `from`. */
  private stringEnd(from: number): number {
    const b = this.buf
    let j = from
    for (;;) {
      const q = b.indexOf(QUOTE, j)
      if (q === -1) {
        this.pos = this.len
        throw INCOMPLETE
      }
      let k = q - 1
      while (b[k] === BACKSLASH) k--
      if ((q - 1 - k) % 2 === 0) return q + 1
      j = q + 1
    }
  }

  private number(): number {
    const b = this.buf
    const start = this.pos
    let j = start
    const neg = b[j] === MINUS
    if (neg) j++
    let n = 0
    if (this.at(j) === ZERO) j++
    else if (j < this.len && isDigit(b[j]!)) while (j < this.len && isDigit(b[j]!)) n = n * 10 + b[j++]! - ZERO
    else {
      this.pos = j
      this.fail()
    }
    let simple = j - start <= 15
    if (this.at(j) === DOT) {
      simple = false
      j = this.digits(j + 1)
    }
    if (this.at(j) === 0x65 || this.at(j) === 0x45) {
      simple = false
      j++
      if (this.at(j) === 0x2b || this.at(j) === MINUS) j++
      j = this.digits(j)
    }
    // A number may only end at a delimiter, which must be in this buffer.
    if (j >= this.len) {
      this.pos = j
      throw INCOMPLETE
    }
    this.pos = j
    if (simple) return neg ? -n : n
    return Number((b as unknown as Decoders).latin1Slice(start, j))
  }

  /** Index after one or more digits starting at `j`. */
  private digits(j: number): number {
    const b = this.buf
    if (j >= this.len || !isDigit(b[j]!)) {
      this.pos = j
      this.fail()
    }
    while (j < this.len && isDigit(b[j]!)) j++
    return j
  }

  /** Moves past one value without building it. */
  private skip(): void {
    const c = this.peek()
    if (c === QUOTE) {
      this.pos = this.stringEnd(this.pos + 1)
      return
    }
    if (c === OPEN_OBJ || c === OPEN_ARR) {
      const close = c === OPEN_OBJ ? CLOSE_OBJ : CLOSE_ARR
      this.pos++
      if (this.peek() === close) {
        this.pos++
        return
      }
      do {
        if (c === OPEN_OBJ) {
          if (this.peek() !== QUOTE) this.fail()
          this.pos = this.stringEnd(this.pos + 1)
          this.expect(COLON)
        }
        this.skip()
      } while (this.more(close))
      return
    }
    if (c === MINUS || isDigit(c)) {
      this.number()
      return
    }
    if (!this.literal(TRUE) && !this.literal(FALSE) && !this.literal(NULL)) this.fail()
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
    try {
      const value = r.projected(compiled)
      return {value, end: r.pos}
    } catch (err) {
      STACK.length = 0 // elements of the lists left unfinished
      if (err === INCOMPLETE) return undefined
      throw err
    }
  }
}
