/**
 * Reuse of unchanged apps between two reads of Marathon's `/v2/apps` body, for the daemon: an
 * event changes a few apps, yet every regeneration fetches all of them (spec §5.1). An app whose
 * load-balancing content is byte-for-byte what it was last time gets back the very value read
 * last time, so the core's per-app work (model, services, rendered sections) is found again by
 * object identity instead of being redone.
 *
 * "Load-balancing content" is the app's bytes restricted to what the reader keeps (the keys of
 * lb-fields.ts's shape, with their values; nested shapes restricted the same way). Everything
 * else — task timestamps and health-check times, which change on every health check,
 * deployments, counters, env — is passed over (still checked for JSON structure), so a new
 * `lastSuccess` does not count as a change, while anything the projection would keep does. The
 * comparison is exact (the previous kept bytes are stored, about 250 bytes a task), not a hash.
 *
 * An app is reused only when its `id` is its first key (as Marathon writes it) and no key has an
 * escape; anything else is simply read again.
 */
import {ASIDE, ByteScanner, INCOMPLETE, KeyTable} from './byte-scanner.js'
import {CLOSE_ARR, CLOSE_OBJ, OPEN_ARR, OPEN_OBJ, QUOTE} from './json-bytes.js'
import type {AppTransform} from './apps-stream.js'
import type {BytesParser, Parsed} from './lb-bytes.js'
import {compileShape, type Compiled, type Shape} from './lb-shape.js'

/** The kept bytes differ from the stored ones: read the app again. */
const CHANGED = Symbol('changed')

const ID_KEY = new KeyTable(['id'])

/** Where kept bytes go: compared with the previous ones, or recorded as [start, end) pairs. */
class KeptBytes extends ByteScanner {
  /** Compare mode: the previous kept bytes, and how far they have been matched. */
  private expected: Buffer | undefined
  private matched = 0
  /** Record mode: [start, end) pairs of `b`. */
  readonly ranges: number[] = []

  constructor(b: Buffer, pos: number, expected: Buffer | undefined) {
    super(b, pos)
    this.expected = expected
  }

  private emit(start: number, end: number): void {
    const e = this.expected
    if (e === undefined) {
      this.ranges.push(start, end)
      return
    }
    const n = end - start
    if (this.matched + n > e.length) throw CHANGED
    const b = this.b
    let m = this.matched
    for (let j = start; j < end; j++, m++) if (b[j] !== e[m]) throw CHANGED
    this.matched = m
  }

  /** The raw bytes of the value at pos (consumed). */
  private raw(): void {
    const start = this.pos
    this.skip()
    this.emit(start, this.pos)
  }

  /** The app object at pos, restricted to `shape`; returns its `id` (raw bytes, quotes included). */
  app(shape: Compiled): string {
    const id = this.appId()
    if (this.more(CLOSE_OBJ)) this.members(shape)
    this.emit(this.pos - 1, this.pos) // the `}`
    if (this.expected !== undefined && this.matched !== this.expected.length) throw CHANGED
    return id
  }

  /** The start of the app object at pos, through its `id` value, which must be its first member. */
  appId(): string {
    if (this.ws() !== OPEN_OBJ) throw ASIDE
    const open = this.pos
    if (!this.openObject()) throw ASIDE
    this.emit(open, open + 1)
    this.ws()
    const keyStart = this.pos
    if (this.key(ID_KEY) !== 0) throw ASIDE
    this.emit(keyStart, this.pos)
    if (this.ws() !== QUOTE) throw ASIDE
    const idStart = this.pos
    this.pos = this.stringEnd()
    this.emit(idStart, this.pos)
    return this.b.toString('latin1', idStart, this.pos)
  }

  /** Members of an object after its first, restricted to `shape`, through the closing `}`. */
  private members(shape: Compiled): void {
    do {
      this.ws()
      const keyStart = this.pos
      const k = this.key(shape.keys)
      if (k < 0) {
        this.skip()
        continue
      }
      this.emit(keyStart, this.pos)
      const sub = shape.nested[k]
      if (sub === undefined) this.raw()
      else this.projected(sub)
    } while (this.more(CLOSE_OBJ))
  }

  /** A value with a nested shape: objects restricted, lists element by element, others raw. */
  private projected(shape: Compiled): void {
    const c = this.ws()
    if (c === OPEN_OBJ) {
      this.object(shape)
      return
    }
    if (c !== OPEN_ARR) {
      this.raw()
      return
    }
    this.emit(this.pos, this.pos + 1)
    if (this.openList()) {
      do {
        if (this.ws() === OPEN_OBJ) this.object(shape)
        else this.raw()
      } while (this.more(CLOSE_ARR))
    }
    this.emit(this.pos - 1, this.pos) // the `]`
  }

  private object(shape: Compiled): void {
    this.emit(this.pos, this.pos + 1)
    if (this.openObject()) this.members(shape)
    this.emit(this.pos - 1, this.pos)
  }

  /** The recorded ranges' bytes, in one buffer. */
  collected(): Buffer {
    let total = 0
    for (let i = 0; i < this.ranges.length; i += 2) total += this.ranges[i + 1]! - this.ranges[i]!
    // Not from Buffer's shared pool: these live as long as the app does, and one kept slice would
    // hold a whole 8 KiB pool slab of dead ones.
    const out = Buffer.allocUnsafeSlow(total)
    let at = 0
    for (let i = 0; i < this.ranges.length; i += 2) at += this.b.copy(out, at, this.ranges[i], this.ranges[i + 1])
    return out
  }
}

/** One remembered app: its kept bytes and the value read from them. */
interface Entry {
  readonly kept: Buffer
  readonly value: unknown
  /** The read (see {@link AppReuse.begin}) that last saw this app. */
  seen: number
}

/**
 * A reader of `/v2/apps` elements (an {@link AppTransform}) that remembers the apps of the last
 * body and hands back the same value for an app whose kept bytes did not change. Call
 * {@link begin} before each body.
 */
export class AppReuse {
  private readonly entries = new Map<string, Entry>()
  private read = 0
  private readonly shape: Compiled
  /** Counters of the last body, for logs, metrics and benchmarks. */
  reused = 0
  readAgain = 0

  /**
   * @param inner the reader whose values are remembered (lb-fields.ts `readLbApps`)
   * @param shape the shape `inner` projects apps to: what counts as a change
   */
  constructor(
    private readonly inner: AppTransform & {readonly fromBytes: BytesParser},
    shape: Shape,
  ) {
    this.shape = compileShape(shape)
  }

  /** Starts a body: forgets apps the previous body no longer had. */
  begin(): void {
    for (const [id, e] of this.entries) if (e.seen !== this.read) this.entries.delete(id)
    this.read++
    this.reused = 0
    this.readAgain = 0
  }

  /** The transform to hand to AppsBodyStream. */
  get transform(): AppTransform & {readonly fromBytes: BytesParser} {
    return Object.assign((app: unknown) => this.inner(app), {fromBytes: (buf: Buffer, pos: number) => this.fromBytes(buf, pos)})
  }

  private fromBytes(buf: Buffer, pos: number): Parsed | undefined {
    const again = (): Parsed | undefined => {
      const r = this.inner.fromBytes(buf, pos)
      if (r !== undefined) this.remember(buf, pos, r)
      return r
    }
    const peek = new KeptBytes(buf, pos, undefined)
    let id: string
    // The id alone first, to find the stored bytes.
    try {
      id = peek.appId()
    } catch (err) {
      if (err === INCOMPLETE) return undefined
      if (err === ASIDE) return again()
      throw err
    }
    const entry = this.entries.get(id)
    if (entry === undefined) return again()
    const cmp = new KeptBytes(buf, pos, entry.kept)
    try {
      cmp.app(this.shape)
    } catch (err) {
      if (err === INCOMPLETE) return undefined
      if (err === ASIDE || err === CHANGED) return again()
      throw err
    }
    entry.seen = this.read
    this.reused++
    return {value: entry.value, end: cmp.pos}
  }

  /** Stores the kept bytes of the app just read (when it can be reused later). */
  private remember(buf: Buffer, pos: number, r: Parsed): void {
    this.readAgain++
    const rec = new KeptBytes(buf, pos, undefined)
    let id: string
    try {
      id = rec.app(this.shape)
    } catch (err) {
      if (err === ASIDE || err === INCOMPLETE) return // not reusable; it was read anyway
      throw err
    }
    if (rec.pos !== r.end) return
    this.entries.set(id, {kept: rec.collected(), value: r.value, seen: this.read})
  }
}
