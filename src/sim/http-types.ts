/**
 * The simulator's HTTP seam: a parsed request in, a reply out. Route handlers are plain
 * functions of these, so the node:http server stays thin.
 */

/** A parsed request. `path` is relative to the base path (e.g. `/v2/apps/web`). */
export interface Req {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: string
  readonly clientIp: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/** A reply: a JSON body, a text body, or none. */
export interface Reply {
  readonly status: number
  readonly json?: unknown
  readonly text?: string
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** A JSON reply. */
export function jsonReply(status: number, json: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers === undefined ? {status, json} : {status, json, headers}
}

/** A boolean query parameter (`?force=true`); `dflt` when absent. */
export function queryFlag(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name)
  return v === null ? dflt : v.toLowerCase() === 'true'
}
