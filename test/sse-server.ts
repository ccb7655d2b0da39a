/**
 * A tiny controllable Marathon event bus for tests, on 127.0.0.1 with a free port. It speaks the
 * wire format of marathon-api §7.2 (`event:` + `data:` lines ending in CRLF, a bare CRLF
 * heartbeat, `Connection: close`), answers 405 unless `Accept` is exactly
 * `text/event-stream` (Jetty, §7.1), honours the `event_type` filter, serves `/v2/leader`
 * (§2.11), and can refuse, hang, stall, drop or redirect on command.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createTlsServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'

/** How the server answers the next `/v2/events` requests. */
export type SseMode =
  | {readonly kind: 'ok'}
  /** Answer with this status and a small body. */
  | {readonly kind: 'status'; readonly status: number}
  /** Accept the connection and never answer (a hung Marathon). */
  | {readonly kind: 'hang'}
  /** 200 and headers, then silence: no heartbeat, no event. */
  | {readonly kind: 'stall'}
  /** 302 to `location` (Marathon ≥1.7 non-leader). */
  | {readonly kind: 'redirect'; readonly location: string}

/** One request as the server saw it. */
export interface SeenRequest {
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage['headers']
  readonly at: number
}

/** Options of {@link startSseServer}. */
export interface SseServerOptions {
  /** Heartbeat period (Marathon: 10 s); 0 disables. */
  readonly heartbeatMs?: number
  /** Answer of `/v2/leader` (`host:port`); undefined → 404 "There is no leader". */
  readonly leader?: string
  /** Required `Authorization` value; others get 401. */
  readonly authorization?: string
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: {readonly key: string; readonly cert: string}
}

interface Client {
  readonly res: ServerResponse
  readonly types: ReadonlySet<string> | undefined
  readonly heartbeat: NodeJS.Timeout | undefined
}

/** Handle on a running test event bus. */
export interface SseServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`). */
  readonly url: string
  /** `127.0.0.1:<port>`, as `/v2/leader` names hosts. */
  readonly hostPort: string
  readonly requests: SeenRequest[]
  /** Event-stream requests only. */
  eventRequests(): SeenRequest[]
  /** Currently attached stream clients. */
  clients(): number
  setMode(mode: SseMode): void
  setLeader(leader: string | undefined): void
  /** Sends an event (`eventType` taken from the payload) to subscribed clients; returns how many got it. */
  send(payload: Readonly<Record<string, unknown>> & {readonly eventType: string}): number
  /** Writes raw text to every client (for garbage and odd framing). */
  sendRaw(text: string): void
  /** Destroys every open stream socket (a dropped connection). */
  dropAll(): void
  close(): Promise<void>
}

function frame(eventType: string, data: string): string {
  return `event: ${eventType}\r\ndata: ${data}\r\n\r\n`
}

/** Starts the server on a free loopback port. */
export async function startSseServer(opts: SseServerOptions = {}): Promise<SseServer> {
  let mode: SseMode = {kind: 'ok'}
  let leader = opts.leader
  const requests: SeenRequest[] = []
  const clients = new Set<Client>()
  const sockets = new Set<Socket>()

  const attach = (res: ServerResponse, query: URLSearchParams): void => {
    res.writeHead(200, {'Content-Type': 'text/event-stream;charset=utf-8', Connection: 'close', 'Cache-Control': 'no-cache, no-store, must-revalidate'})
    res.flushHeaders()
    const wanted = query.getAll('event_type')
    const hb = opts.heartbeatMs ?? 0
    // Jetty writes '\r', flushes, then '\n': a bare empty line, not a ':' comment (§7.2).
    const heartbeat = mode.kind === 'ok' && hb > 0 ? setInterval(() => { res.write('\r'); res.write('\n') }, hb) : undefined
    const client: Client = {res, types: wanted.length > 0 ? new Set(wanted) : undefined, heartbeat}
    clients.add(client)
    res.on('close', () => {
      if (client.heartbeat !== undefined) clearInterval(client.heartbeat)
      clients.delete(client)
    })
    if (mode.kind === 'ok' && (client.types === undefined || client.types.has('event_stream_attached'))) {
      res.write(frame('event_stream_attached', JSON.stringify({remoteAddress: '127.0.0.1', eventType: 'event_stream_attached', timestamp: new Date().toISOString()})))
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x')
    requests.push({path: u.pathname, query: u.searchParams, headers: req.headers, at: Date.now()})
    if (opts.authorization !== undefined && req.headers.authorization !== opts.authorization) {
      res.writeHead(401, {'WWW-Authenticate': 'basic realm="Mesosphere"'}).end('<html>401</html>')
      return
    }
    if (u.pathname === '/v2/leader') {
      if (mode.kind === 'hang') return
      if (leader === undefined) res.writeHead(404, {'Content-Type': 'application/json'}).end('{"message":"There is no leader"}')
      else res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({leader}))
      return
    }
    if (u.pathname !== '/v2/events') {
      res.writeHead(500, {'Content-Type': 'application/json'}).end('{"message":"URI not found"}')
      return
    }
    if (req.headers.accept !== 'text/event-stream') {
      res.writeHead(405).end('HTTP method GET is not supported by this URL')
      return
    }
    switch (mode.kind) {
      case 'hang':
        return
      case 'status':
        res.writeHead(mode.status, {'Content-Type': 'application/json'}).end('{"message":"test refusal"}')
        return
      case 'redirect':
        res.writeHead(302, {Location: `${mode.location}${u.search}`}).end()
        return
      case 'ok':
      case 'stall':
        attach(res, u.searchParams)
    }
  }

  const server: Server = opts.tls === undefined ? createServer(handle) : createTlsServer({key: opts.tls.key, cert: opts.tls.cert}, handle)
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: `${opts.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    eventRequests: () => requests.filter((r) => r.path === '/v2/events'),
    clients: () => clients.size,
    setMode: (m) => {
      mode = m
    },
    setLeader: (l) => {
      leader = l
    },
    send: (payload) => {
      let n = 0
      for (const c of clients) {
        if (c.types !== undefined && !c.types.has(payload.eventType)) continue
        c.res.write(frame(payload.eventType, JSON.stringify(payload)))
        n++
      }
      return n
    },
    sendRaw: (text) => {
      for (const c of clients) c.res.write(text)
    },
    dropAll: () => {
      for (const c of clients) c.res.socket?.destroy()
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export {until as waitFor} from './wait.js'
