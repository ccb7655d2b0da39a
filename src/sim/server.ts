/**
 * The node:http front of one simulator instance: body reading, the base path, the admin
 * endpoint, auth, fault injection, leader proxying, Marathon's common headers (marathon-api §1),
 * the call log, and errors rendered as Marathon's JSON bodies (never a crash).
 */
import {request, type IncomingMessage, type ServerResponse} from 'node:http'

import type {Clock} from '../clock.js'
import type {Logger} from '../log.js'
import {ApiError} from './api-error.js'
import {LOGIN_PATH, type Auth} from './auth.js'
import {bodyForLog, type CallLog} from './call-log.js'
import type {Cluster, Member} from './cluster.js'
import type {EventStreams} from './event-streams.js'
import type {Faults} from './faults.js'
import {jsonReply, type Reply, type Req} from './http-types.js'
import {route, type RouteContext} from './routes.js'

/** The admin endpoint's prefix (never authenticated, never faulted). */
export const ADMIN_PREFIX = '/_sim/'

/** Everything the handler needs from its simulator instance. */
export interface ServerDeps {
  readonly self: Member
  readonly cluster: Cluster
  readonly streams: EventStreams
  readonly faults: Faults
  readonly auth: Auth
  readonly calls: CallLog
  readonly clock: Clock
  readonly logger: Logger
  readonly version: string
  readonly basePath: string
  readonly port: () => number
  readonly admin: (req: Req) => Promise<Reply>
  /** Requests held open by the timeout fault, destroyed on stop. */
  readonly held: Set<ServerResponse>
}

const MAX_BODY = 16 * 1024 * 1024

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) req.destroy(new Error('body too large'))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function commonHeaders(d: ServerDeps): Record<string, string> {
  const h: Record<string, string> = {
    'X-Frame-Options': 'DENY', 'X-XSS-Protection': '1; mode=block',
    'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', Expires: '0',
  }
  if (d.cluster.leader === d.self) h['X-Marathon-Leader'] = `http://${d.self.address}`
  return h
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  const all: Record<string, string> = {...headers, ...reply.headers}
  let payload: Buffer | undefined
  if (reply.json !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.json))
    all['Content-Type'] = 'application/json'
  } else if (reply.text !== undefined) {
    payload = Buffer.from(reply.text)
    all['Content-Type'] = reply.contentType ?? 'text/plain'
  }
  if (payload !== undefined) all['Content-Length'] = String(payload.length)
  res.writeHead(reply.status, all)
  res.end(payload)
}

/** Forwards a request to the leader and pipes its answer back (LeaderProxyFilter). */
function proxy(leader: Member, req: IncomingMessage, body: string, res: ServerResponse): Promise<number> {
  return new Promise((resolve) => {
    const target = new URL(req.url ?? '/', `http://${leader.address}`)
    const headers = {...req.headers, host: leader.address, 'content-length': String(Buffer.byteLength(body))}
    const out = request(target, {method: req.method, headers}, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
      up.on('end', () => resolve(up.statusCode ?? 502))
    })
    out.on('error', () => {
      if (!res.headersSent) send(res, jsonReply(502, {message: 'Could not determine the current leader'}), {})
      resolve(502)
    })
    out.end(body)
  })
}

function toReq(req: IncomingMessage, url: URL, path: string, body: string): Req {
  return {method: req.method ?? 'GET', path, query: url.searchParams, body, clientIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', headers: req.headers}
}

/** Errors as Marathon's JSON bodies: {@link ApiError}s as thrown, anything else as a 500. */
function safely(d: ServerDeps, fn: () => Reply): Reply {
  try {
    return fn()
  } catch (err) {
    if (err instanceof ApiError) return {status: err.status, json: err.body, headers: err.headers}
    d.logger.error('simulator request failed', {error: String(err)})
    return jsonReply(500, {message: err instanceof Error ? err.message : String(err)})
  }
}

/** Answers a REST call on the leader. */
function answer(d: ServerDeps, r: Req): Reply {
  return safely(d, () => {
    if (r.path === '/v2/leader' && r.method === 'DELETE') {
      d.cluster.abdicate(d.self)
      return jsonReply(200, {message: 'Leadership abdicated'})
    }
    const ctx: RouteContext = {
      engine: d.cluster.engine, version: d.version, leader: d.cluster.leader?.address, baseUrl: `http://${d.self.address}`, httpPort: d.port(),
    }
    return route(ctx, r)
  })
}

/** Auth, then request faults: a reply to send instead, `held` for a timeout, or undefined to go on. */
async function gate(d: ServerDeps, r: Req, rawPath: string, res: ServerResponse): Promise<Reply | 'held' | undefined> {
  if (d.auth.dcos && r.path === LOGIN_PATH && r.method === 'POST') return d.auth.login(bodyForLog(r.body))
  const denied = d.auth.check(r, rawPath)
  if (denied !== undefined) return denied
  if (d.faults.latencyMs > 0) await d.clock.sleep(d.faults.latencyMs)
  const fault = d.faults.take()
  if (fault?.kind === 'timeout') {
    d.held.add(res)
    res.on('close', () => d.held.delete(res))
    return 'held'
  }
  if (fault?.kind === 'error') return jsonReply(fault.status, {message: `Simulated failure (HTTP ${fault.status})`})
  return undefined
}

/** Creates the request listener of one simulator instance. */
export function createHandler(d: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim')
    const body = await readBody(req)
    const path = d.basePath !== '' && url.pathname.startsWith(`${d.basePath}/`) ? url.pathname.slice(d.basePath.length) : url.pathname
    const r = toReq(req, url, path, body)
    if (path.startsWith(ADMIN_PREFIX)) {
      send(res, await d.admin(r), {})
      return
    }
    const log = (status: number): void => d.calls.add({time: d.clock.now(), method: r.method, path, query: url.search.replace(/^\?/, ''), body: bodyForLog(body), status})
    const headers = commonHeaders(d)
    const gated = await gate(d, r, url.pathname, res)
    if (gated !== undefined) {
      if (gated !== 'held') send(res, gated, headers)
      log(gated === 'held' ? 0 : gated.status)
      return
    }
    const leader = d.cluster.leader
    // LeaderProxyFilter: a standby answers only /ping and /v2/leader itself (marathon-api §7.1).
    if (leader !== d.self && path !== '/ping' && path !== '/v2/leader') {
      if (leader !== undefined && path !== '/v2/events') {
        log(await proxy(leader, req, body, res))
        return
      }
      const reply = leader === undefined ? jsonReply(502, {message: 'Could not determine the current leader'}) : {status: 302, headers: {Location: `http://${leader.address}${req.url ?? path}`}}
      send(res, reply, headers)
      log(reply.status)
      return
    }
    if (path === '/v2/events' && r.method === 'GET') {
      d.streams.open(req, res, url.searchParams, headers)
      log(res.statusCode)
      return
    }
    const reply = answer(d, r)
    send(res, reply, headers)
    log(reply.status)
  }
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only I/O can fail here (a body cut short): Marathon-level errors were answered already.
      d.logger.warn('simulator request aborted', {error: String(err)})
      if (!res.headersSent) send(res, jsonReply(500, {message: String(err)}), commonHeaders(d))
      else res.destroy()
    })
  }
}
