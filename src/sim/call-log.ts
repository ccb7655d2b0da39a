/**
 * The call log: every REST request a simulator instance answered (method, path, query, body,
 * status), so tests can assert the exact calls a client made (Argo's `expectPatchServiceAction`).
 */

/** One recorded request. `status` 0 = never answered (timeout fault). */
export interface CallRecord {
  readonly time: number
  readonly method: string
  readonly path: string
  readonly query: string
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  readonly body: unknown
  readonly status: number
}

/** Bounded list of calls. */
export class CallLog {
  private readonly list: CallRecord[] = []

  constructor(private readonly limit = 10_000) {}

  /** Records one call. */
  add(record: CallRecord): void {
    this.list.push(record)
    if (this.list.length > this.limit * 1.5) this.list.splice(0, this.list.length - this.limit)
  }

  /** Calls so far, optionally only those with `method` and a path matching `path`. */
  calls(filter: {method?: string; path?: string | RegExp} = {}): CallRecord[] {
    return this.list.filter(
      (c) =>
        (filter.method === undefined || c.method === filter.method) &&
        (filter.path === undefined || (typeof filter.path === 'string' ? c.path === filter.path : filter.path.test(c.path))),
    )
  }

  clear(): void {
    this.list.length = 0
  }
}

/** Parses a body for the log. */
export function bodyForLog(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
