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
 * Skipped values are checked for JSON structure as they are passed over (byte-scanner.ts), so
 * bytes that are not JSON are handed to the general reader, which raises the SyntaxError; the
 * one leniency is a raw control character inside a passed-over string (byte-scanner.ts).
 */
import {isPort, ReadTasks} from '../model/apps.js'
import {NOT_A_WORD} from '../model/config-word.js'
import type {Task} from '../model/types.js'
import type {Parsed} from './lb-bytes.js'
import {ASIDE, ByteScanner, INCOMPLETE, KeyTable, listFrom, STACK, TRUE} from './byte-scanner.js'
import {CLOSE_ARR, CLOSE_OBJ} from './json-bytes.js'

const EMPTY: readonly number[] = Object.freeze([])

const TASK_KEYS = new KeyTable(['id', 'host', 'ports', 'state', 'ipAddresses', 'healthCheckResults'])
const ID = 0
const HOST = 1
const PORTS = 2
const STATE = 3
const IP_ADDRESSES = 4
const HEALTH = 5
const IP_KEYS = new KeyTable(['ipAddress'])
const ALIVE_KEYS = new KeyTable(['alive'])

/** One read of one task list. */
class TaskReader extends ByteScanner {
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
    let ipAddress: string | undefined
    let alive: boolean | undefined
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
        else if (k === IP_ADDRESSES) ipAddress = this.isNull() ? undefined : this.firstIpAddress()
        else if (k === HEALTH) alive = this.isNull() ? undefined : this.anyAlive()
      } while (this.more(CLOSE_OBJ))
    }
    // What src/model/apps.ts refuses (a port out of range) is reported from there.
    if (ports !== undefined) for (let i = 0; i < ports.length; i++) if (!isPort(ports[i]!)) throw ASIDE
    return {id: id ?? '', host: host ?? '', ports: ports ?? EMPTY, state, ipAddress, alive, draining: false}
  }

  /** The first `ipAddresses[].ipAddress`; entries without one are passed over, as the model does. */
  private firstIpAddress(): string | undefined {
    let first: string | undefined
    if (!this.openList()) return first
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
          // Every address is checked, as src/model/apps.ts does (it reports the problem).
          if (ip !== undefined && NOT_A_WORD.test(ip)) throw ASIDE
        }
      } while (this.more(CLOSE_OBJ))
      first ??= ip
    } while (this.more(CLOSE_ARR))
    return first
  }

  /** Whether any `healthCheckResults[].alive` is the literal `true`. */
  private anyAlive(): boolean {
    let any = false
    if (!this.openList()) return any
    do {
      if (this.openObject()) {
        let seen = false
        do {
          if (this.key(ALIVE_KEYS) < 0) this.skip()
          else if (seen) throw ASIDE
          else {
            seen = true
            if (this.ws() === 0x74) {
              this.literal(TRUE)
              any = true
            } else this.skip() // only `true` counts
          }
        } while (this.more(CLOSE_OBJ))
      }
    } while (this.more(CLOSE_ARR))
    return any
  }
}

/**
 * Reads the `tasks` list at `pos` of `buf` into {@link ReadTasks}; undefined when the bytes end
 * first, null when the list is not the common case (read it the general way).
 */
export function readTaskList(buf: Buffer, pos: number): Parsed | undefined | null {
  const r = new TaskReader(buf, pos)
  const mark = STACK.length
  try {
    const tasks = r.tasks()
    return {value: new ReadTasks(tasks), end: r.pos}
  } catch (err) {
    STACK.length = mark // elements of the lists left unfinished
    if (err === INCOMPLETE) return undefined
    if (err === ASIDE) return null
    throw err
  }
}
