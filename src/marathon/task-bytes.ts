/**
 * Marathon's `tasks` list read from bytes straight into the model's {@link Task}s, for the
 * common case: the list is ~80 % of a `/v2/apps` body (25,000 tasks for 5,000 apps), and
 * going through generic JSON values first (shaped objects, then src/model/apps.ts) builds every
 * task twice. Anything out of the ordinary — a field of an unexpected type, a duplicate or escaped
 * key, a list element that is not an object, bytes that are not JSON — makes this reader step
 * aside (`null`), and the list is read the general way, where the model reports the problem
 * exactly as it would for `JSON.parse`'s result. So this is only ever a faster route to the
 * same value, checked by test/unit/task-bytes.test.ts.
 *
 * Skipped values are checked for JSON structure as they are passed over, so invalid bytes are
 * never accepted: they are handed to the general reader, which raises the SyntaxError.
 *
 * Every byte is read through `at()`, which gives -1 past the end: no comparison below accepts
 * it, so every such path ends in stop(), which tells the end of the bytes (wait for more) from
 * bytes it does not take (step aside). Why not just read past the end: a typed array read out of
 * bounds yields `undefined`, and once V8 has seen that, every byte comparison in the function
 * becomes a generic one — the reader ran 60 % slower on bodies that arrive in chunks.
 */
import {ReadTasks} from '../model/apps.js'
import type {Task} from '../model/types.js'
import type {Parsed} from './lb-bytes.js'
import {asciiString} from './lb-strings.js'
import {BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE} from './json-bytes.js'

/** The bytes end inside the value: the caller waits for more. */
const INCOMPLETE = Symbol('incomplete')
/** Not the common case: the caller reads the value the general way. */
const ASIDE = Symbol('aside')

const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39
const DOT = 0x2e
const LOWER_E = 0x65
const UPPER_E = 0x45
const PLUS = 0x2b

interface Decoders {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')
const NULL = Buffer.from('null')
const EMPTY: readonly number[] = Object.freeze([])

const TASK_KEYS = ['id', 'host', 'ports', 'state', 'ipAddresses', 'healthCheckResults'].map((k) => Buffer.from(k))
const ID = 0
const HOST = 1
const PORTS = 2
const STATE = 3
const IP_ADDRESSES = 4
const HEALTH = 5
const IP_KEYS = [Buffer.from('ipAddress')]
const ALIVE_KEYS = [Buffer.from('alive')]

/**
 * Elements of the lists being read, innermost last: a list is copied out at its exact length
 * once complete. A list grown by push keeps room for 16 more elements, and the 25,000 tasks of
 * a 5,000-app state hold about 100,000 small lists that live until the render ends: the slack
 * alone made every later garbage collection (and so the whole render) markedly slower.
 */
const STACK: unknown[] = []

function listFrom<T>(mark: number): T[] {
  const out = STACK.slice(mark) as T[]
  STACK.length = mark
  return out
}

/** One read of one task list; fields rather than closures keep the hot paths monomorphic. */
class TaskReader {
  pos: number
  private readonly len: number

  constructor(private readonly b: Buffer, pos: number) {
    this.pos = pos
    this.len = b.length
  }

  /** The byte at `j`, or -1 past the end. */
  private at(j: number): number {
    return j < this.len ? this.b[j]! : -1
  }

  private stop(): never {
    throw this.pos >= this.len ? INCOMPLETE : ASIDE
  }

  /** The next byte that is not JSON white space; the cursor is left on it. */
  private ws(): number {
    let j = this.pos
    let c = this.at(j)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = this.at(++j)
    this.pos = j
    if (c < 0) throw INCOMPLETE
    return c
  }

  /** After a member or element: true at `,`, false at `close` (both consumed). */
  private more(close: number): boolean {
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
  private openList(): boolean {
    if (this.ws() !== OPEN_ARR) throw ASIDE
    this.pos++
    if (this.ws() !== CLOSE_ARR) return true
    this.pos++
    return false
  }

  /** Opens the object at pos (consumed): false when it is empty (closed too). Not an object steps aside. */
  private openObject(): boolean {
    if (this.ws() !== OPEN_OBJ) throw ASIDE
    this.pos++
    if (this.ws() !== CLOSE_OBJ) return true
    this.pos++
    return false
  }

  /**
   * Index after the string whose opening quote is at pos. Checks for raw control characters,
   * not escapes (a kept string with escapes goes the general way, where JSON.parse checks them).
   */
  private stringEnd(): number {
    let j = this.pos + 1
    for (;;) {
      const c = this.at(j)
      if (c === QUOTE) return j + 1
      if (c === BACKSLASH) j++ // the escaped character cannot end the string
      else if (!(c >= 0x20)) {
        this.pos = j
        return this.stop()
      }
      j++
    }
  }

  /** The string at pos (consumed); strings with escapes step aside. */
  private string(): string {
    const b = this.b
    const start = this.pos + 1
    let j = start
    let ascii = true
    for (;;) {
      const c = this.at(j)
      if (c === QUOTE) break
      if (!(c >= 0x20) || c === BACKSLASH) {
        this.pos = j
        if (c === BACKSLASH) throw ASIDE
        this.stop()
      }
      if (c >= 0x80) ascii = false
      j++
    }
    this.pos = j + 1
    return ascii ? asciiString(b, start, j) : (b as unknown as Decoders).utf8Slice(start, j)
  }

  /** Index after the digits starting at `j` (at least one). */
  private digits(j: number): number {
    const from = j
    while (this.at(j) >= ZERO && this.at(j) <= NINE) j++
    if (j === from) {
      this.pos = j
      this.stop()
    }
    return j
  }

  /** Moves past the JSON number at pos; returns its value. */
  private number(): number {
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
  private literal(word: Buffer): void {
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
  private skip(): void {
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
  private isNull(): boolean {
    if (this.ws() !== 0x6e) return false
    this.literal(NULL)
    return true
  }

  /** A string or null (→ undefined); anything else steps aside. */
  private optString(): string | undefined {
    if (this.isNull()) return undefined
    if (this.b[this.pos] !== QUOTE) throw ASIDE
    return this.string()
  }

  /** A list of integers or null (→ undefined). */
  private optInts(): readonly number[] | undefined {
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

  /** The key at pos (consumed, with its colon) as an index in `keys`, or -1; escaped keys step aside. */
  private key(keys: readonly Buffer[]): number {
    if (this.ws() !== QUOTE) this.stop()
    const b = this.b
    const start = this.pos + 1
    let j = start
    for (;;) {
      const c = this.at(j)
      if (c === QUOTE) break
      if (!(c >= 0x20) || c === BACKSLASH) {
        this.pos = j
        if (c === BACKSLASH) throw ASIDE
        this.stop()
      }
      j++
    }
    this.pos = j + 1
    if (this.ws() !== COLON) this.stop()
    this.pos++
    const len = j - start
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      if (k.length !== len) continue
      let m = 0
      while (m < len && k[m] === b[start + m]) m++
      if (m === len) return i
    }
    return -1
  }

  /** `tasks`: a list of task objects. */
  tasks(): Task[] {
    if (!this.openList()) return []
    const mark = STACK.length
    do STACK.push(this.task())
    while (this.more(CLOSE_ARR))
    return listFrom<Task>(mark)
  }

  private task(): Task {
    let id: string | undefined
    let host: string | undefined
    let ports: readonly number[] | undefined
    let state: string | undefined
    let ipAddresses: string[] = []
    let health: boolean[] | undefined
    if (this.openObject()) {
      let seen = 0
      do {
        const k = this.key(TASK_KEYS)
        if (k < 0) {
          this.skip()
          continue
        }
        if ((seen & (1 << k)) !== 0) throw ASIDE // duplicate key: JSON.parse keeps the last one
        seen |= 1 << k
        if (k === ID) id = this.optString()
        else if (k === HOST) host = this.optString()
        else if (k === PORTS) ports = this.optInts()
        else if (k === STATE) state = this.optString()
        else if (k === IP_ADDRESSES) ipAddresses = this.isNull() ? [] : this.ipAddresses()
        else if (k === HEALTH) health = this.isNull() ? undefined : this.alive()
      } while (this.more(CLOSE_OBJ))
    }
    return {id: id ?? '', host: host ?? '', ports: ports ?? EMPTY, state, ipAddresses, healthCheckResults: health, draining: false}
  }

  /** `ipAddresses[].ipAddress`; entries without one are left out, as the model does. */
  private ipAddresses(): string[] {
    if (!this.openList()) return []
    const mark = STACK.length
    do {
      if (!this.openObject()) continue
      let ip: string | undefined
      let seen = false
      do {
        if (this.key(IP_KEYS) < 0) this.skip()
        else if (seen) throw ASIDE
        else {
          seen = true
          ip = this.optString()
        }
      } while (this.more(CLOSE_OBJ))
      if (ip !== undefined) STACK.push(ip)
    } while (this.more(CLOSE_ARR))
    return listFrom<string>(mark)
  }

  /** `healthCheckResults[].alive === true`. */
  private alive(): boolean[] {
    if (!this.openList()) return []
    const mark = STACK.length
    do {
      let alive = false
      if (this.openObject()) {
        let seen = false
        do {
          if (this.key(ALIVE_KEYS) < 0) this.skip()
          else if (seen) throw ASIDE
          else {
            seen = true
            if (this.ws() === 0x74) {
              this.literal(TRUE)
              alive = true
            } else this.skip() // only `true` counts
          }
        } while (this.more(CLOSE_OBJ))
      }
      STACK.push(alive)
    } while (this.more(CLOSE_ARR))
    return listFrom<boolean>(mark)
  }
}

/**
 * Reads the `tasks` list at `pos` of `buf` into {@link ReadTasks}; undefined when the bytes end
 * first, null when the list is not the common case (read it the general way).
 */
export function readTaskList(buf: Buffer, pos: number): Parsed | undefined | null {
  const r = new TaskReader(buf, pos)
  try {
    const tasks = r.tasks()
    return {value: new ReadTasks(tasks), end: r.pos}
  } catch (err) {
    STACK.length = 0 // elements of the lists left unfinished
    if (err === INCOMPLETE) return undefined
    if (err === ASIDE) return null
    throw err
  }
}
