/**
 * The HTTP side of the event stream: the `fetch` handed to `eventsource` (undici with its own
 * Agent, Authorization from a provider, exactly one redirect followed by hand, every received
 * chunk reported so a watchdog can see Marathon's heartbeats) and the `/v2/leader` lookup.
 */
import {readFileSync} from 'node:fs'

import type {EventSourceFetchInit, FetchLike, FetchLikeResponse} from 'eventsource'
import {Agent, fetch as undiciFetch, type Dispatcher} from 'undici'

import type {Clock} from '../clock.js'
import {MarathonError, MlbError} from '../errors.js'
import {redactUrl} from '../redact.js'
import {parseMarathonUrl} from './marathon-url.js'

/** Provides the `Authorization` header value, asked before every connect (DC/OS tokens expire). */
export type AuthorizationProvider = () => Promise<string | undefined>

/** TLS settings for Marathon, as marathon-lb's `--marathon-ca-cert` (behaviour §1.2). */
export interface EventTlsOptions {
  /** CA bundle path. Without it marathon-lb disables verification, and so does mlb. */
  readonly caCertPath?: string
}

/**
 * An undici Agent for the stream. `bodyTimeout: 0` because an event stream may be quiet for
 * long; the stream's own watchdog bounds silence instead (dependencies §2).
 */
export function createStreamAgent(tls: EventTlsOptions = {}): Agent {
  let ca: Buffer | undefined
  if (tls.caCertPath !== undefined) {
    try {
      ca = readFileSync(tls.caCertPath)
    } catch (err) {
      const code = (err as {code?: string}).code ?? 'unreadable'
      throw new MlbError(`cannot read --marathon-ca-cert ${tls.caCertPath}: ${code}`, {code: 'MLB_ERR_CA_CERT', exit: 1, cause: err})
    }
  }
  // headersTimeout 0 as well: the stream's watchdog bounds connecting (event-watchdog.ts).
  const connect = ca === undefined ? {rejectUnauthorized: false} : {ca}
  return new Agent({bodyTimeout: 0, headersTimeout: 0, keepAliveTimeout: 1_000, connect})
}

/** Options of {@link createStreamFetch}. */
export interface StreamFetchOptions {
  readonly dispatcher: Dispatcher
  readonly authorization: AuthorizationProvider
  readonly userAgent: string
  /** Called whenever bytes arrive (headers or any body chunk, heartbeats included). */
  readonly onActivity: () => void
  /** Called with the URL that finally answered (after a redirect), credentials removed. */
  readonly onResponse: (url: string, status: number) => void
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

async function headersFor(init: EventSourceFetchInit, opts: StreamFetchOptions): Promise<Record<string, string>> {
  const auth = await opts.authorization()
  // Keep eventsource's headers (Accept: text/event-stream, which Jetty matches exactly, §7.1).
  return {
    ...init.headers,
    'Cache-Control': 'no-cache',
    'User-Agent': opts.userAgent,
    ...(auth === undefined ? {} : {Authorization: auth}),
  }
}

function tapped(res: Awaited<ReturnType<typeof undiciFetch>>, onActivity: () => void): FetchLikeResponse {
  const body = res.body
  return {
    url: res.url,
    status: res.status,
    redirected: false,
    headers: res.headers,
    body:
      body === null
        ? null
        : {
            getReader: () => {
              const reader = body.getReader()
              return {
                read: async () => {
                  const r = await reader.read()
                  if (!r.done) onActivity()
                  return r
                },
                cancel: () => reader.cancel(),
              }
            },
          },
  }
}

/**
 * The `fetch` for `new EventSource(url, {fetch})`. Redirects are followed by hand, at most
 * once and with the same headers: Marathon ≥1.7 answers a non-leader's `/v2/events` with 302
 * to the leader, and marathon-lb follows one redirect with credentials (`MAXREDIRS 1`,
 * `UNRESTRICTED_AUTH`, marathon-api §7.1), whereas fetch would drop Authorization across hosts.
 */
export function createStreamFetch(opts: StreamFetchOptions): FetchLike {
  return async (input, init) => {
    const headers = await headersFor(init, opts)
    let url = String(input)
    for (let hop = 0; ; hop++) {
      const res = await undiciFetch(url, {headers, signal: init.signal, redirect: 'manual', dispatcher: opts.dispatcher})
      opts.onActivity()
      const location = res.headers.get('location')
      if (hop === 0 && REDIRECTS.has(res.status) && location !== null) {
        await res.body?.cancel().catch(() => {})
        url = new URL(location, url).toString()
        continue
      }
      opts.onResponse(redactUrl(url), res.status)
      return tapped(res, opts.onActivity)
    }
  }
}

/** Options of {@link lookupLeader}. */
export interface LeaderLookupOptions {
  readonly dispatcher: Dispatcher
  readonly authorization: AuthorizationProvider
  readonly userAgent: string
  readonly clock: Clock
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/**
 * Asks `base` for `GET /v2/leader` (marathon-api §2.11) and returns the leader's `host:port`,
 * or undefined when there is none (404) or the answer is not understood. Throws a
 * {@link MarathonError} when the host does not answer within `timeoutMs`: a hung host must be
 * skipped, not waited on (users-and-peers pain 8).
 */
export async function lookupLeader(base: string, opts: LeaderLookupOptions): Promise<string | undefined> {
  const ac = new AbortController()
  const onAbort = (): void => ac.abort(opts.signal?.reason)
  opts.signal?.addEventListener('abort', onAbort, {once: true})
  const timer = opts.clock.timer(opts.timeoutMs, () => ac.abort(new Error(`no answer within ${opts.timeoutMs} ms`)))
  const {url, auth: own} = parseMarathonUrl(base)
  try {
    const auth = (await opts.authorization()) ?? (await own?.header())
    const res = await undiciFetch(`${url}/v2/leader`, {
      headers: {Accept: 'application/json', 'User-Agent': opts.userAgent, ...(auth === undefined ? {} : {Authorization: auth})},
      signal: ac.signal,
      dispatcher: opts.dispatcher,
    })
    const text = await res.text()
    if (res.status !== 200) return undefined
    const body: unknown = JSON.parse(text)
    const leader = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['leader'] : undefined
    return typeof leader === 'string' && leader !== '' ? leader : undefined
  } catch (err) {
    if (err instanceof SyntaxError) return undefined
    throw new MarathonError(`leader lookup failed on ${redactUrl(base)}`, {host: redactUrl(base), cause: err})
  } finally {
    timer.cancel()
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

/** Index of the configured URL whose `host:port` is `leader` (default ports made explicit). */
export function findLeaderUrl(urls: readonly string[], leader: string): number {
  return urls.findIndex((u) => {
    try {
      const p = new URL(u)
      const port = p.port !== '' ? p.port : p.protocol === 'https:' ? '443' : '80'
      return `${p.hostname}:${port}` === leader || p.host === leader
    } catch {
      return false
    }
  })
}
