/**
 * Incremental parse of Marathon's `/v2/apps` body while it arrives, one app at a time: each app
 * is read straight from the chunk's bytes by `each.fromBytes` (or, without it, `JSON.parse`d and
 * handed to `each`), and its bytes are dropped, so the ~20 MB body of a 5,000-app cluster never
 * sits in memory whole and parsing overlaps the transfer. An app that runs past a chunk is read
 * again with the next one (at most three reads from its start). A body that does not start with
 * `{` is buffered and parsed with plain JSON.parse. Syntax errors throw SyntaxError, as JSON.parse.
 *
 * Why per app: decoding a 20 MB body into one string and JSON.parse-ing it holds bytes, string
 * and object graph at once (≈190 MB peak RSS; issue 2's budget is 180 MB), while small per-app
 * strings die young.
 */
import type {BytesParser} from './lb-bytes.js'
import {BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE, isWs} from './json-bytes.js'

/**
 * Applied to each element of `apps` right after it is parsed. With `fromBytes`, the stream
 * hands it the element's bytes instead (same result, without building what it drops).
 */
export type AppTransform = ((app: unknown) => unknown) & {readonly fromBytes?: BytesParser}



/** How much of the next chunk a carried app is first read with. */
const JOIN_HEAD = 16384

function isDelimiter(c: number | undefined): boolean {
  return c === COMMA || c === CLOSE_OBJ || c === CLOSE_ARR || isWs(c)
}

/** Where the top-level scanner is. */
type State = 'detect' | 'key-or-close' | 'key' | 'colon' | 'value' | 'after-value' | 'next-key' | 'elem-or-close' | 'elem' | 'after-elem' | 'end' | 'whole'

/** Scan state of one value that may span chunks. */
interface ValueScan {
  depth: number
  inString: boolean
  /** First byte of the value: `{`, `[`, `"` or a primitive's first character. */
  first: number
  /** Backslashes ending the earlier chunks of this value (inside a string), for escape checks. */
  carry: number
}

/** Parses a `/v2/apps` body fed chunk by chunk. */
export class AppsBodyStream {
  private state: State = 'detect'
  private window: Buffer = Buffer.alloc(0)
  /** Index in `window` where the current token started. */
  private start = 0
  /** Index in `window` of the next unscanned byte. */
  private pos = 0
  private scan: ValueScan | undefined
  /** Bytes of the unfinished value from earlier chunks (joined once, when the value ends). */
  private pending: Buffer[] = []
  /** The start of an app that ran past the last chunk, read again in one piece with the next. */
  private carried: Buffer | undefined
  /** The window starts with a carried app that did not end in the head of the chunk. */
  private startsCarried = false
  private key = ''
  private apps: unknown[] = []
  private readonly result: Record<string, unknown> = {}
  private readonly whole: Buffer[] = []

  constructor(private readonly each: AppTransform = (app) => app) {}

  /** Feeds the next chunk of the body. */
  push(chunk: Buffer): void {
    if (this.state === 'whole') {
      this.whole.push(chunk)
      return
    }
    // Keep only the unfinished value (run() returns mid-value or with everything scanned);
    // finished apps' bytes are dropped here. Pieces are joined once, so a huge value stays linear.
    if (this.scan !== undefined && this.start < this.window.length) this.pending.push(this.window.subarray(this.start))
    const carried = this.carried
    this.carried = undefined
    this.startsCarried = false
    this.pos = 0
    this.start = 0
    if (carried === undefined) this.window = chunk
    else if (!this.readCarried(carried, chunk)) {
      this.window = Buffer.concat([carried, chunk])
      this.startsCarried = true
      // The head was the whole chunk: the app does not end in it either, so scan for its end.
      if (chunk.length <= JOIN_HEAD) this.beginValue('elem')
    }
    this.run(false)
  }

  /**
   * Reads the carried app joined with the head of `chunk`, where the rest of most apps lies
   * (joining whole chunks copied ~20 MB per 5,000-app body); false when it does not end there.
   */
  private readCarried(carried: Buffer, chunk: Buffer): boolean {
    const joined = Buffer.concat([carried, chunk.subarray(0, JOIN_HEAD)])
    const whole = this.each.fromBytes!(joined, 0)
    if (whole === undefined) return false
    this.apps.push(whole.value)
    this.window = chunk
    this.consume(whole.end - carried.length, 'after-elem')
    return true
  }

  /** No byte other than JSON white space has been seen (an empty body). */
  get blank(): boolean {
    return this.state === 'detect'
  }

  /** Ends the body and returns the parsed value. */
  end(): unknown {
    if (this.state === 'whole' || this.state === 'detect') return JSON.parse(Buffer.concat([...this.whole, this.window]).toString('utf8'))
    // A carried app (this.carried) means the body ended inside it: run() finds nothing more and fails.
    this.run(true)
    if (this.state !== 'end') throw new SyntaxError('Unexpected end of JSON input')
    return this.result
  }

  private fail(): never {
    throw new SyntaxError(`Unexpected token in JSON at position ${this.pos}`)
  }

  private skipWs(): boolean {
    while (this.pos < this.window.length && isWs(this.window[this.pos])) this.pos++
    return this.pos < this.window.length
  }

  // One switch over the parser states (longer than the usual 50 lines on purpose): the whole
  // grammar of the top level reads in one place, and the per-byte work stays in scanValue.
  private run(final: boolean): void {
    const w = (): Buffer => this.window
    for (;;) {
      if (this.state !== 'key' && this.state !== 'value' && this.state !== 'elem' && !this.skipWs()) return
      const c = w()[this.pos]
      switch (this.state) {
        case 'detect':
          if (c !== OPEN_OBJ) {
            this.state = 'whole' // not Marathon's shape: JSON.parse decides
            this.whole.push(this.window)
            this.window = Buffer.alloc(0)
            this.pos = this.start = 0
            return
          }
          this.pos++
          this.state = 'key-or-close'
          break
        case 'key-or-close':
        case 'next-key':
          if (c === CLOSE_OBJ && this.state === 'key-or-close') {
            this.pos++
            this.state = 'end'
            break
          }
          if (c !== QUOTE) this.fail()
          this.beginValue('key')
          break
        case 'key': {
          const end = this.scanValue(final)
          if (end === undefined) return
          this.key = JSON.parse(this.text(end)) as string
          this.consume(end, 'colon')
          break
        }
        case 'colon':
          if (c !== COLON) this.fail()
          this.pos++
          this.state = 'value'
          break
        case 'value': {
          if (this.scan === undefined) {
            if (!this.skipWs()) {
              if (final) this.fail()
              return
            }
            if (this.key === 'apps' && w()[this.pos] === OPEN_ARR) {
              this.apps = []
              this.pos++
              this.state = 'elem-or-close'
              break
            }
            this.beginValue('value')
          }
          const end = this.scanValue(final)
          if (end === undefined) return
          this.store(JSON.parse(this.text(end)))
          this.consume(end, 'after-value')
          break
        }
        case 'after-value':
          if (c === COMMA) {
            this.pos++
            this.state = 'next-key'
          } else if (c === CLOSE_OBJ) {
            this.pos++
            this.state = 'end'
          } else this.fail()
          break
        case 'elem-or-close':
          if (c === CLOSE_ARR) {
            this.pos++
            this.store(this.apps)
            this.state = 'after-value'
            break
          }
          this.state = 'elem' // the first app too is read in place when it can be
          break
        case 'elem': {
          if (this.scan === undefined) {
            if (!this.skipWs()) {
              if (final) this.fail()
              return
            }
            // Most apps lie within one chunk: parse them in place, in one pass.
            const whole = this.each.fromBytes?.(this.window, this.pos)
            if (whole !== undefined) {
              this.apps.push(whole.value)
              this.consume(whole.end, 'after-elem')
              break
            }
            // An app that runs past the chunk (one per chunk, at the end) is carried over and read
            // with the next chunk (readCarried): cheaper than scanning the rest of it for its end,
            // joining its pieces and reading it then. Only once: an app that runs past the next
            // chunk too is scanned, so that however small the chunks or large the app, it is read
            // from its start at most three times.
            const carriedOnce = this.startsCarried && this.pos === 0
            if (this.each.fromBytes !== undefined && !final && !carriedOnce) {
              this.carried = this.window.subarray(this.pos)
              this.pos = this.start = this.window.length
              return
            }
            this.beginValue('elem')
          }
          const end = this.scanValue(final)
          if (end === undefined) return
          this.apps.push(this.each.fromBytes === undefined ? this.each(JSON.parse(this.text(end))) : this.fromBytes(this.each.fromBytes, end))
          this.consume(end, 'after-elem')
          break
        }
        case 'after-elem':
          if (c === COMMA) {
            this.pos++
            this.state = 'elem'
          } else if (c === CLOSE_ARR) {
            this.pos++
            this.store(this.apps)
            this.state = 'after-value'
          } else this.fail()
          break
        case 'end':
          this.fail() // only white space may follow the top-level object
        case 'whole':
          return
      }
    }
  }

  private beginValue(state: 'key' | 'value' | 'elem'): void {
    this.state = state
    this.start = this.pos
    this.scan = {depth: 0, inString: false, first: this.window[this.pos]!, carry: 0}
  }

  /** The text of the value that ends at `end` in the current chunk. */
  private text(end: number): string {
    if (this.pending.length === 0) return this.window.toString('utf8', this.start, end)
    return Buffer.concat([...this.pending, this.window.subarray(this.start, end)]).toString('utf8')
  }

  /** The element that ends at `end` in the current chunk, parsed from its bytes. */
  private fromBytes(parse: BytesParser, end: number): unknown {
    // With the delimiter after it when there is one: a number can only be known to have ended there.
    const to = Math.min(end + 1, this.window.length)
    const bytes = this.pending.length === 0 ? this.window.subarray(this.start, to) : Buffer.concat([...this.pending, this.window.subarray(this.start, to)])
    const r = parse(bytes, 0)
    if (r === undefined || r.end !== bytes.length - (to - end)) throw new SyntaxError('Unexpected end of JSON input')
    return r.value
  }

  private consume(end: number, next: State): void {
    this.pos = end
    this.start = end
    this.scan = undefined
    this.pending = []
    this.state = next
  }

  private store(value: unknown): void {
    // defineProperty: a "__proto__" key stays a plain property, as with JSON.parse
    Object.defineProperty(this.result, this.key, {value, writable: true, enumerable: true, configurable: true})
  }

  /** Advances over the current value; returns its end index, or undefined if more bytes are needed. */
  private scanValue(final: boolean): number | undefined {
    const s = this.scan!
    const buf = this.window
    let j = this.pos
    if (s.first !== QUOTE && s.first !== OPEN_OBJ && s.first !== OPEN_ARR) {
      while (j < buf.length && !isDelimiter(buf[j])) j++
      this.pos = j
      return j < buf.length || final ? j : undefined
    }
    while (j < buf.length) {
      if (s.inString) {
        // Jump to the next quote natively; it ends the string unless an odd run of backslashes
        // precedes it (counting those that ended the previous chunk).
        const q = buf.indexOf(QUOTE, j)
        if (q === -1) {
          j = buf.length
          break
        }
        if (this.backslashesBefore(q) % 2 === 1) {
          j = q + 1
          continue
        }
        j = q + 1
        s.inString = false
        if (s.depth === 0) return (this.pos = j)
        continue
      }
      const c = buf[j++]
      if (c === QUOTE) s.inString = true
      else if (c === OPEN_OBJ || c === OPEN_ARR) s.depth++
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (--s.depth === 0) return (this.pos = j)
      }
    }
    this.pos = j
    if (final) this.fail()
    s.carry = s.inString ? this.backslashesBefore(buf.length) : 0
    return undefined
  }

  /** Consecutive backslashes of the current value just before index `at` of this chunk. */
  private backslashesBefore(at: number): number {
    let k = at - 1
    while (k >= this.start && this.window[k] === BACKSLASH) k--
    const run = at - 1 - k
    // The run reaches back to the chunk's start: it continues the previous chunk's run.
    return k < this.start && this.pending.length > 0 ? run + this.scan!.carry : run
  }
}

/** Parses a whole body given as chunks (tests, benchmarks); equals `JSON.parse` of their concatenation. */
export function parseAppsChunks(chunks: Iterable<Buffer>, each?: AppTransform): unknown {
  const stream = new AppsBodyStream(each)
  for (const c of chunks) stream.push(c)
  return stream.end()
}
