/**
 * The two pieces of undici the Marathon client uses, Agent and request, loaded without undici's
 * index. The index also loads undici's fetch/WebSocket layer, which touches the File and Headers
 * globals and so loads Node's own bundled undici as well: measured +75 ms and +17 MB RSS for
 * every `mlb serve --dry` process, against +20 ms and +8 MB here (issue 2's budget is 700 ms and
 * 180 MB at 5,000 apps). The lockfile pins undici; should a release move these files, the public
 * entry point is used instead.
 */
import {createRequire} from 'node:module'

import type {Agent, Dispatcher} from 'undici'

/** Options of {@link UndiciCore.request} (those of undici's `request(url, opts)` that mlb uses). */
export interface CoreRequestOptions {
  readonly dispatcher: Dispatcher
  readonly method: Dispatcher.HttpMethod
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  /** Aborts the request (mlb zdd's SIGINT/SIGTERM). */
  readonly signal?: AbortSignal
}

/** undici's Agent class and a `request(url, opts)` bound to a dispatcher. */
export interface UndiciCore {
  readonly Agent: typeof Agent
  request(url: string, opts: CoreRequestOptions): Promise<Dispatcher.ResponseData>
}

type ApiRequest = (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>

let loaded: UndiciCore | undefined

function fromParts(AgentClass: typeof Agent, apiRequest: ApiRequest): UndiciCore {
  return {
    Agent: AgentClass,
    request: (url, opts) => {
      const u = new URL(url)
      // What undici's public request() does before dispatching (index.js makeDispatcher).
      return apiRequest.call(opts.dispatcher, {
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method: opts.method,
        headers: opts.headers,
        ...(opts.body === undefined ? {} : {body: opts.body}),
        ...(opts.signal === undefined ? {} : {signal: opts.signal}),
      })
    },
  }
}

/** Loads (once) undici's Agent and request. */
export function undiciCore(): UndiciCore {
  if (loaded !== undefined) return loaded
  const require = createRequire(import.meta.url)
  try {
    loaded = fromParts(require('undici/lib/dispatcher/agent.js') as typeof Agent, require('undici/lib/api/api-request.js') as ApiRequest)
  } catch {
    const full = require('undici') as typeof import('undici')
    loaded = {Agent: full.Agent, request: (url, opts) => full.request(url, {...opts, headers: {...opts.headers}})}
  }
  return loaded
}
