/**
 * A tiny HTTP server on 127.0.0.1 (free port) that plays Marathon for tests and benchmarks:
 * either a fixed `/v2/apps` body (any query string), or a handler per request. Every request is
 * recorded (method, URL, headers, body) so tests can assert what reached "Marathon".
 */
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

/** What the server answers to one request. */
export interface FixtureReply {
  readonly status?: number
  readonly body?: string | Buffer
  readonly headers?: Readonly<Record<string, string | readonly string[]>>
  /** Wait this long before answering (bounded by close()). */
  readonly delayMs?: number
  /** Drop the connection without answering. */
  readonly destroy?: boolean
}

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A running fixture server. */
export interface FixtureServer {
  readonly url: string
  readonly port: number
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

/** Answers a request. */
export type FixtureHandler = (req: RecordedRequest) => FixtureReply | Promise<FixtureReply>

/** Serves `apps` (a JSON text) for `GET /v2/apps…`, 404 with a Marathon error body otherwise. */
export function appsHandler(apps: string | Buffer): FixtureHandler {
  return (req) =>
    req.method === 'GET' && (req.url === '/v2/apps' || req.url.startsWith('/v2/apps?'))
      ? {status: 200, body: apps, headers: {'content-type': 'application/json'}}
      : {status: 404, body: JSON.stringify({message: `URI not found: ${req.url}`}), headers: {'content-type': 'application/json'}}
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

/** Starts a server with a handler, or with a fixed `/v2/apps` body. */
export async function startFixtureServer(handlerOrApps: FixtureHandler | string | Buffer): Promise<FixtureServer> {
  const handler = typeof handlerOrApps === 'function' ? handlerOrApps : appsHandler(handlerOrApps)
  const requests: RecordedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rec: RecordedRequest = {method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}
      requests.push(rec)
      void Promise.resolve(handler(rec)).then((reply) => {
        const send = (): void => {
          if (reply.destroy === true) {
            req.socket.destroy()
            return
          }
          res.writeHead(reply.status ?? 200, reply.headers as Record<string, string | string[]> | undefined)
          res.end(reply.body ?? '')
        }
        if (reply.delayMs === undefined) send()
        else {
          const t = setTimeout(() => {
            timers.delete(t)
            send()
          }, reply.delayMs)
          timers.add(t)
        }
      })
    })
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A loopback URL on which nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const server = createServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
