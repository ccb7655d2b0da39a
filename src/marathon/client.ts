/**
 * Marathon REST client (spec §6.1): hosts tried in order, the next one on a connection error or
 * timeout, the one that answered kept first afterwards (sticky failover); any HTTP answer ends
 * the loop (spec §10.26). Errors name the host (credentials stripped), the status and Marathon's
 * `message`; secrets are scrubbed from every message.
 */
import type {Dispatcher} from 'undici'

import {MarathonError, errorMessage} from '../errors.js'
import type {Logger} from '../log.js'
import {redactSecrets} from '../redact.js'
import {createMarathonAgent, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS, type WithoutCaCert} from './agent.js'
import {parseMarathonUrl, type MarathonUrl} from './marathon-url.js'
import {serverMessage} from './server-message.js'
import {AppsBodyStream} from './apps-stream.js'
import type {AppReuse} from './app-reuse.js'
import {readLbApps} from './lb-fields.js'
import {undiciCore} from './undici-core.js'
import type {MarathonAuth} from './auth.js'

/** One Marathon answer. */
export interface MarathonResponse<T = unknown> {
  readonly status: number
  readonly body: T
  /** Base URL that answered. */
  readonly url: string
}

/** Options of {@link MarathonClient}. */
export interface MarathonClientOptions {
  readonly urls: readonly string[]
  readonly auth?: MarathonAuth | undefined
  readonly caCertPath?: string | undefined
  readonly withoutCaCert?: WithoutCaCert | undefined
  readonly connectTimeoutMs?: number | undefined
  readonly readTimeoutMs?: number | undefined
  readonly logger?: Logger | undefined
  readonly userAgent?: string | undefined
}

/** One HTTP answer: its bytes, or (for a streamed 2xx body) the parsed value or why it failed. */
interface RawAnswer {
  readonly status: number
  readonly contentType: string
  readonly bytes?: Buffer
  readonly streamed?: {readonly value: unknown} | {readonly invalid: 'empty' | 'not-json'}
}

/** Makes the incremental parser for a successful body (only `/v2/apps` uses one). */
type StreamFactory = () => AppsBodyStream

/** Reads a body into one Buffer; with a Content-Length each chunk is copied once and dropped. */
async function readBody(body: AsyncIterable<Buffer>, length: number): Promise<Buffer> {
  if (Number.isSafeInteger(length) && length >= 0) {
    const buf = Buffer.allocUnsafe(length)
    let at = 0
    for await (const chunk of body) {
      if (at + chunk.length > length) throw new Error('body longer than its Content-Length')
      chunk.copy(buf, at)
      at += chunk.length
    }
    return at === length ? buf : buf.subarray(0, at)
  }
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** Feeds a body to the incremental parser; a syntax error still drains the body (keep-alive). */
async function streamBody(body: AsyncIterable<Buffer>, parser: AppsBodyStream): Promise<NonNullable<RawAnswer['streamed']>> {
  let broken = false
  for await (const chunk of body) {
    if (broken) continue
    try {
      parser.push(chunk)
    } catch {
      broken = true
    }
  }
  if (broken) return {invalid: 'not-json'}
  if (parser.blank) return {invalid: 'empty'}
  try {
    return {value: parser.end()}
  } catch {
    return {invalid: 'not-json'}
  }
}

/** A short reason for a transport failure. */
function transportReason(err: unknown, connectMs: number, readMs: number): string {
  const e = err as {code?: string; cause?: {code?: string}}
  switch (e.code ?? e.cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found'
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${connectMs} ms`
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no answer within ${readMs} ms`
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server'
    default:
      return errorMessage(err)
  }
}


/** Only JSON white space (or nothing). */
function isBlank(bytes: Buffer): boolean {
  for (const c of bytes) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false
  return true
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 400
}

/** Marathon REST client with failover over several base URLs. */
export class MarathonClient {
  private bases: MarathonUrl[]
  /** `--auth-credentials`, the credential file or DC/OS: every host's, over a URL's own user info. */
  private readonly auth: MarathonAuth | undefined
  private readonly agent: Dispatcher
  private readonly logger: Logger | undefined
  private readonly userAgent: string
  private readonly connectMs: number
  private readonly readMs: number

  constructor(opts: MarathonClientOptions) {
    if (opts.urls.length === 0) throw new MarathonError('no Marathon URL given')
    this.bases = opts.urls.map(parseMarathonUrl)
    this.auth = opts.auth
    this.logger = opts.logger
    this.userAgent = opts.userAgent ?? 'mlb'
    this.connectMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
    this.readMs = opts.readTimeoutMs ?? READ_TIMEOUT_MS
    this.agent = createMarathonAgent({
      caCertPath: opts.caCertPath,
      withoutCaCert: opts.withoutCaCert,
      connectTimeoutMs: this.connectMs,
      readTimeoutMs: this.readMs,
      urls: this.bases.map((b) => b.url),
      logger: opts.logger,
    })
  }

  /** The base URL requests go to first (the last one that answered). */
  get currentUrl(): string {
    return this.bases[0]!.url
  }

  /**
   * The `Authorization` of the explicit credentials (logs in to DC/OS when needed), e.g. for the
   * event stream, which falls back to each URL's own user info as requests here do.
   */
  authorization(): Promise<string | undefined> {
    return this.auth === undefined ? Promise.resolve(undefined) : this.auth.header()
  }

  private authorizationFor(base: MarathonUrl): Promise<string | undefined> {
    return (this.auth ?? base.auth)?.header() ?? Promise.resolve(undefined)
  }

  private scrub(text: string): string {
    return redactSecrets(text, [...(this.auth?.secrets() ?? []), ...this.bases.flatMap((b) => b.auth?.secrets() ?? [])])
  }

  /**
   * Sends `method path` to the first host that answers. Returns any HTTP status; throws
   * MarathonError when every host failed or the body is not JSON. `signal` (mlb zdd's SIGINT or
   * SIGTERM) aborts the request in flight and tries no other host.
   */
  request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<MarathonResponse<T>> {
    return this.requestWith<T>(method, path, body, undefined, signal)
  }

  private async requestWith<T>(method: string, path: string, body: unknown, stream: StreamFactory | undefined, signal?: AbortSignal): Promise<MarathonResponse<T>> {
    const failures: string[] = []
    const order = [...this.bases]
    for (const [i, base] of order.entries()) {
      let answer: RawAnswer
      try {
        if (signal?.aborted === true) throw signal.reason
        answer = await this.send(base, method, path, body, stream, signal)
      } catch (err) {
        if (err instanceof MarathonError) throw err
        // Stopped by the caller: not the host's fault, so no failover.
        if (signal?.aborted === true) throw new MarathonError(`request to Marathon ${base.url} aborted`, {host: base.url, cause: err})
        const reason = this.scrub(transportReason(err, this.connectMs, this.readMs))
        failures.push(`${base.url}: ${reason}`)
        const next = order[i + 1]
        if (next !== undefined) this.logger?.warn(`Marathon ${base.url} failed (${reason}), trying ${next.url}`)
        continue
      }
      if (answer.status === 401) this.auth?.invalidate()
      if (i > 0 && isSuccess(answer.status)) this.bases = [...order.slice(i), ...order.slice(0, i)]
      return {status: answer.status, body: this.parseBody(base, method, answer) as T, url: base.url}
    }
    throw new MarathonError(`cannot reach Marathon: ${failures.join('; ')}`, {host: order.map((b) => b.url).join(' ')})
  }

  private async send(base: MarathonUrl, method: string, path: string, body: unknown, stream: StreamFactory | undefined, signal: AbortSignal | undefined): Promise<RawAnswer> {
    const authorization = await this.authorizationFor(base)
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': this.userAgent,
    }
    if (authorization !== undefined) headers['authorization'] = authorization
    const res = await undiciCore().request(`${base.url}${path.startsWith('/') ? path : `/${path}`}`, {
      method: method as Dispatcher.HttpMethod,
      headers,
      dispatcher: this.agent,
      ...(body === undefined ? {} : {body: JSON.stringify(body)}),
      ...(signal === undefined ? {} : {signal}),
    })
    const ct = res.headers['content-type']
    const contentType = typeof ct === 'string' ? ct : ''
    if (stream !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
      return {status: res.statusCode, contentType, streamed: await streamBody(res.body, stream())}
    }
    const bytes = await readBody(res.body, Number(res.headers['content-length'] ?? Number.NaN))
    return {status: res.statusCode, bytes, contentType}
  }

  private parseBody(base: MarathonUrl, method: string, answer: RawAnswer): unknown {
    const what = `Marathon ${base.url} answered HTTP ${answer.status}`
    const streamed = answer.streamed
    if (streamed !== undefined && 'value' in streamed) return streamed.value
    if (streamed?.invalid === 'empty' || (answer.bytes !== undefined && isBlank(answer.bytes))) {
      if (answer.status === 204 || method.toUpperCase() === 'HEAD') return null
      throw new MarathonError(`${what} with an empty body`, {host: base.url, status: answer.status})
    }
    try {
      if (streamed !== undefined || answer.bytes === undefined) throw new SyntaxError('not JSON')
      return JSON.parse(answer.bytes.toString('utf8'))
    } catch {
      const ct = answer.contentType === '' ? '' : ` (${answer.contentType.split(';')[0]})`
      throw new MarathonError(`${what} with a body that is not JSON${ct}`, {host: base.url, status: answer.status})
    }
  }

  /**
   * `GET /v2/apps?embed=apps.tasks` (spec §6.1), the body as Marathon sent it, or with
   * `lbFieldsOnly` only the app and task fields load balancing reads (spec §5.1a). With `reuse`
   * (the daemon), also only those fields, and apps unchanged since the previous call through the
   * same `reuse` come back as the same objects (src/marathon/app-reuse.ts). Throws
   * MarathonError on a non-2xx status or a body without an `apps` array.
   */
  async getApps(opts: {lbFieldsOnly?: boolean; reuse?: AppReuse} = {}): Promise<unknown> {
    const {reuse} = opts
    const each = opts.lbFieldsOnly === true ? readLbApps : undefined
    const stream = (): AppsBodyStream => {
      if (reuse === undefined) return new AppsBodyStream(each)
      reuse.begin()
      return new AppsBodyStream(reuse.transform)
    }
    const res = await this.requestWith<unknown>('GET', '/v2/apps?embed=apps.tasks', undefined, stream)
    if (res.status < 200 || res.status >= 300) {
      const msg = this.scrub(serverMessage(res.body))
      throw new MarathonError(`Marathon ${res.url} answered HTTP ${res.status}${msg}`, {host: res.url, status: res.status})
    }
    const apps = typeof res.body === 'object' && res.body !== null ? (res.body as {apps?: unknown}).apps : undefined
    if (!Array.isArray(apps)) {
      throw new MarathonError(`Marathon ${res.url} answered HTTP ${res.status} without an "apps" list`, {host: res.url, status: res.status})
    }
    return res.body
  }

  /** Closes connections (after in-flight requests finish) and the auth helper. */
  async close(): Promise<void> {
    await this.agent.close()
    await this.auth?.close()
  }

  /** Like {@link close}, but aborts in-flight requests instead of waiting for them. */
  async destroy(): Promise<void> {
    await this.agent.destroy()
    await this.auth?.close()
  }
}
