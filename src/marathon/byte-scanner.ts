/**
 * The byte-level JSON scanner under mlb's readers of Marathon's body (lb-bytes.ts, task-bytes.ts,
 * app-reuse.ts): a cursor over a Buffer that reads strings, numbers, literals and keys, and
 * passes over whole values while checking their JSON structure.
 *
 * Two outcomes besides a value: {@link INCOMPLETE} (the bytes end inside the value: wait for
 * more) and {@link ASIDE} (bytes not taken — not JSON, or for the fast readers not the common
 * case: the caller reads the value the general way, lb-bytes.ts, where ASIDE is a SyntaxError).
 * So bytes that are not JSON are not accepted here, with one exception on purpose: a string that
 * is passed over is only delimited (its closing quote found natively, {@link stringEnd}), so a
 * raw control character inside it, which JSON.parse would refuse and Marathon never sends, is
 * not looked for. Looking would mean reading most of the body byte by byte for values mlb does
 * not use; every string mlb keeps is checked.
 *
 * Every byte is read through `at()`, which gives -1 past the end: no comparison accepts it, so
 * every such path ends in stop(), which tells the end of the bytes from bytes it does not take.
 * Why not just read past the end: a typed array read out of bounds yields `undefined`, and once
 * V8 has seen that, every byte comparison in the function becomes a generic one — the task
 * reader ran 60 % slower on bodies that arrive in chunks.
 */
import {asciiString} from './lb-strings.js'
import {BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE} from './json-bytes.js'

/** The bytes end inside the value: the caller waits for more. */
export const INCOMPLETE = Symbol('incomplete')
/** Not taken here: the caller reads the value the general way. */
export const ASIDE = Symbol('aside')

export const MINUS = 0x2d
export const ZERO = 0x30
export const NINE = 0x39
const DOT = 0x2e
const LOWER_E = 0x65
const UPPER_E = 0x45
const PLUS = 0x2b

interface Decoders {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

export const TRUE = Buffer.from('true')
export const FALSE = Buffer.from('false')
export const NULL = Buffer.from('null')

/** {@link ByteScanner.keyIndex} of a key with escapes. */
export const ESCAPED_KEY = -2

/**
 * The keys a reader looks for, as bytes, chained by length: most keys of Marathon's objects are
 * passed over (a 5,000-app body has about 850,000), and one of a length no wanted key has costs
 * one lookup instead of a comparison with every wanted key.
 */
export class KeyTable {
  readonly bytes: readonly Buffer[]
  /** The first key of each byte length, -1 for none; the next ones of that length through `next`. */
  readonly first: Int32Array
  readonly next: Int32Array

  constructor(names: readonly string[]) {
    this.bytes = names.map((n) => Buffer.from(n, 'utf8'))
    this.first = new Int32Array(Math.max(0, ...this.bytes.map((k) => k.length)) + 1).fill(-1)
    this.next = new Int32Array(names.length).fill(-1)
    for (let i = names.length - 1; i >= 0; i--) {
      const n = this.bytes[i]!.length
      this.next[i] = this.first[n]!
      this.first[n] = i
    }
  }
}

/**
 * Elements of the lists being read, innermost last: a list is copied out at its exact length
 * once complete. A list grown by push keeps room for 16 more elements, and the 25,000 tasks of
 * a 5,000-app state hold about 100,000 small lists that live until the render ends: the slack
 * alone made every later garbage collection (and so the whole render) markedly slower.
 */
export const STACK: unknown[] = []

export function listFrom<T>(mark: number): T[] {
  const out = STACK.slice(mark) as T[]
  STACK.length = mark
  return out
}

/** A cursor over one buffer; fields rather than closures keep the hot paths monomorphic. */
export class ByteScanner {
  pos: number
  protected readonly len: number

  constructor(protected readonly b: Buffer, pos: number) {
    this.pos = pos
    this.len = b.length
  }

  /** The byte at `j`, or -1 past the end. */
  protected at(j: number): number {
    return j < this.len ? this.b[j]! : -1
  }

  protected stop(): never {
    throw this.pos >= this.len ? INCOMPLETE : ASIDE
  }

  /** The next byte that is not JSON white space; the cursor is left on it. */
  protected ws(): number {
    let j = this.pos
    let c = this.at(j)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = this.at(++j)
    this.pos = j
    if (c < 0) throw INCOMPLETE
    return c
  }

  /** After a member or element: true at `,`, false at `close` (both consumed). */
  protected more(close: number): boolean {
    const c = this.ws()
    if (c === COMMA) {
      this.pos++
      return true
    }
    if (c === close) {
      this.pos++
      return false
    }
    return this.stop()
  }

  /** Opens the list at pos (consumed): false when it is empty (closed too). Null or not a list steps aside. */
  protected openList(): boolean {
    return this.open(OPEN_ARR, CLOSE_ARR)
  }

  /** Opens the object at pos (consumed): false when it is empty (closed too). Not an object steps aside. */
  protected openObject(): boolean {
    return this.open(OPEN_OBJ, CLOSE_OBJ)
  }

  private open(opening: number, closing: number): boolean {
    if (this.ws() !== opening) throw ASIDE
    this.pos++
    if (this.ws() !== closing) return true
    this.pos++
    return false
  }

  /**
   * Index after the string whose opening quote is at pos: its closing quote, found with
   * indexOf, past any escaped ones. Neither escapes nor raw control characters are checked (see
   * the module comment): this passes over strings, it does not read them.
   */
  protected stringEnd(): number {
    const b = this.b
    let j = this.pos + 1
    for (;;) {
      const q = b.indexOf(QUOTE, j)
      if (q < 0) {
        this.pos = this.len
        return this.stop()
      }
      let k = q - 1
      while (k >= j && b[k] === BACKSLASH) k--
      if ((q - 1 - k) % 2 === 0) return q + 1
      j = q + 1
    }
  }

  /** The string at pos (consumed); strings with escapes step aside. */
  protected string(): string {
    const b = this.b
    const start = this.pos + 1
    let j = start
    let ascii = true
    for (;;) {
      const c = this.at(j)
      if (c === QUOTE) break
      if (c === BACKSLASH) return this.escapedString()
      if (!(c >= 0x20)) {
        this.pos = j
        this.stop()
      }
      if (c >= 0x80) ascii = false
      j++
    }
    this.pos = j + 1
    return ascii ? asciiString(b, start, j) : (b as unknown as Decoders).utf8Slice(start, j)
  }

  /** The string at pos, which has escapes: the fast readers step aside; lb-bytes.ts decodes it. */
  protected escapedString(): string {
    throw ASIDE
  }

  /** Index after the digits starting at `j` (at least one). */
  protected digits(j: number): number {
    const from = j
    while (this.at(j) >= ZERO && this.at(j) <= NINE) j++
    if (j === from) {
      this.pos = j
      this.stop()
    }
    return j
  }

  /** Moves past the JSON number at pos; returns its value. */
  protected number(): number {
    const b = this.b
    const start = this.pos
    let j = start
    if (this.at(j) === MINUS) j++
    let v = 0
    if (this.at(j) === ZERO) j++
    else {
      const from = j
      while (this.at(j) >= ZERO && this.at(j) <= NINE) v = v * 10 + this.at(j++) - ZERO
      if (j === from) {
        this.pos = j
        this.stop()
      }
    }
    let simple = j - start <= 15
    if (this.at(j) === DOT) {
      simple = false
      j = this.digits(j + 1)
    }
    if (this.at(j) === LOWER_E || this.at(j) === UPPER_E) {
      simple = false
      j++
      if (this.at(j) === PLUS || this.at(j) === MINUS) j++
      j = this.digits(j)
    }
    // A number ends at a delimiter, which must be in these bytes (a leading 0 followed by a
    // digit is not JSON and stops here too).
    const end = this.at(j)
    this.pos = j
    if (!(end === COMMA || end === CLOSE_OBJ || end === CLOSE_ARR || end === 0x20 || end === 0x0a || end === 0x0d || end === 0x09)) this.stop()
    if (simple) return b[start] === MINUS ? -v : v
    return Number((b as unknown as Decoders).latin1Slice(start, j))
  }

  /** Consumes the literal `word` at pos. */
  protected literal(word: Buffer): void {
    const p = this.pos
    for (let i = 0; i < word.length; i++) {
      if (this.at(p + i) !== word[i]) {
        this.pos = p + i
        this.stop()
      }
    }
    this.pos = p + word.length
  }

  /** Moves past one value without building it, checking its JSON structure. */
  protected skip(): void {
    const c = this.ws()
    if (c === QUOTE) this.pos = this.stringEnd()
    else if (c === OPEN_OBJ) {
      this.pos++
      if (this.ws() === CLOSE_OBJ) {
        this.pos++
        return
      }
      do {
        if (this.ws() !== QUOTE) this.stop()
        this.pos = this.stringEnd()
        if (this.ws() !== COLON) this.stop()
        this.pos++
        this.skip()
      } while (this.more(CLOSE_OBJ))
    } else if (c === OPEN_ARR) {
      this.pos++
      if (this.ws() === CLOSE_ARR) {
        this.pos++
        return
      }
      do this.skip()
      while (this.more(CLOSE_ARR))
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) this.number()
    else if (c === 0x74) this.literal(TRUE)
    else if (c === 0x66) this.literal(FALSE)
    else if (c === 0x6e) this.literal(NULL)
    else this.stop()
  }

  /** True (consumed) when the value at pos is `null`: the model reads a null field as absent. */
  protected isNull(): boolean {
    if (this.ws() !== 0x6e) return false
    this.literal(NULL)
    return true
  }

  /** The key at pos (consumed, with its colon) as an index in `keys`, or -1; escaped keys step aside. */
  protected key(keys: KeyTable): number {
    const k = this.keyIndex(keys)
    if (k === ESCAPED_KEY) throw ASIDE
    return k
  }

  /**
   * The key at pos as an index in `keys`, or -1 (consumed, with its colon), or
   * {@link ESCAPED_KEY} when it has escapes (nothing consumed: the caller decodes it).
   */
  protected keyIndex(keys: KeyTable): number {
    if (this.ws() !== QUOTE) this.stop()
    const b = this.b
    const start = this.pos + 1
    let j = start
    for (;;) {
      const c = this.at(j)
      if (c === QUOTE) break
      if (c === BACKSLASH) return ESCAPED_KEY
      if (!(c >= 0x20)) {
        this.pos = j
        this.stop()
      }
      j++
    }
    this.pos = j + 1
    if (this.ws() !== COLON) this.stop()
    this.pos++
    const len = j - start
    if (len >= keys.first.length) return -1
    for (let i = keys.first[len]!; i >= 0; i = keys.next[i]!) {
      const k = keys.bytes[i]!
      let m = 0
      while (m < len && k[m] === b[start + m]) m++
      if (m === len) return i
    }
    return -1
  }

  /** A string or null (→ undefined); anything else steps aside. */
  protected optString(): string | undefined {
    if (this.isNull()) return undefined
    if (this.b[this.pos] !== QUOTE) throw ASIDE
    return this.string()
  }

  /** A list of integers or null (→ undefined). */
  protected optInts(): readonly number[] | undefined {
    if (this.isNull()) return undefined
    if (!this.openList()) return []
    const mark = STACK.length
    do {
      const c = this.ws()
      if (c !== MINUS && !(c >= ZERO && c <= NINE)) throw ASIDE
      const v = this.number()
      if (!Number.isInteger(v)) throw ASIDE
      STACK.push(v)
    } while (this.more(CLOSE_ARR))
    return listFrom<number>(mark)
  }
}
