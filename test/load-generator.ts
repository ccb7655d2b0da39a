/**
 * A bounded HTTP load generator (undici) and a tiny HTTP backend, for reload-under-load and zdd
 * tests. Every run stops after a request count or a time bound, whichever comes first.
 */
import {createServer, type Server} from 'node:http'
import {Agent, request} from 'undici'

/** Options of {@link startLoad}. */
export interface LoadOptions {
  readonly url: string
  /** Concurrent request loops. */
  readonly concurrency: number
  /** Reuse connections (true) or open one per request (false: `Connection: close`). */
  readonly keepAlive: boolean
  /** Stop after this many requests in total (default unbounded: then durationMs is required). */
  readonly maxRequests?: number
  /** Stop after this long (ms). */
  readonly durationMs: number
  /** Per-request bound (default 10 s). */
  readonly timeoutMs?: number
  readonly headers?: Readonly<Record<string, string>>
  /**
   * Retry a GET once when a reused keep-alive connection was closed by the server before any
   * response (RFC 9112 §9.3.1 allows it; browsers do it). Retries are counted in `retried`.
   * Default: on when keepAlive is on.
   */
  readonly retryOnIdleClose?: boolean
  /** Called with each answer's status and body text (the body is then read instead of dumped). */
  readonly onBody?: (status: number, body: string) => void
}

/** What a load run saw. */
export interface LoadTotals {
  readonly requests: number
  readonly ok2xx: number
  readonly non2xx: number
  /** Connection-level failures (reset, refused, timeout), after the optional retry. */
  readonly errors: number
  /** Requests retried after an idle keep-alive connection was closed under them. */
  readonly retried: number
  readonly statuses: Readonly<Record<string, number>>
  readonly errorCodes: Readonly<Record<string, number>>
  readonly durationMs: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** A running load. */
export interface LoadRun {
  /** Totals so far. */
  snapshot(): LoadTotals
  /** Asks the loops to stop after their current request and resolves with the totals. */
  stop(): Promise<LoadTotals>
  /** Resolves when a bound is reached (or stop() was called). */
  readonly done: Promise<LoadTotals>
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** Starts `concurrency` loops sending GET `url` until a bound is reached. */
export function startLoad(opts: LoadOptions): LoadRun {
  const agent = new Agent({keepAliveTimeout: 500, connections: opts.concurrency, headersTimeout: opts.timeoutMs ?? 10_000, bodyTimeout: opts.timeoutMs ?? 10_000})
  const statuses: Record<string, number> = {}
  const errorCodes: Record<string, number> = {}
  const latencies: number[] = []
  let requests = 0
  let ok2xx = 0
  let non2xx = 0
  let errors = 0
  let retried = 0
  let stopped = false
  const start = performance.now()
  const deadline = start + opts.durationMs
  const max = opts.maxRequests ?? Number.POSITIVE_INFINITY
  const headers = {...opts.headers, ...(opts.keepAlive ? {} : {connection: 'close'})}
  const totals = (): LoadTotals => {
    const sorted = [...latencies].sort((a, b) => a - b)
    return {requests, ok2xx, non2xx, errors, retried, statuses: {...statuses}, errorCodes: {...errorCodes}, durationMs: performance.now() - start, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99)}
  }
  const retry = opts.retryOnIdleClose ?? opts.keepAlive
  const once = async (): Promise<number> => {
    const res = await request(opts.url, {dispatcher: agent, headers, ...(opts.keepAlive ? {} : {reset: true})})
    if (opts.onBody === undefined) await res.body.dump()
    else opts.onBody(res.statusCode, await res.body.text())
    return res.statusCode
  }
  const send = async (): Promise<number> => {
    try {
      return await once()
    } catch (err) {
      const code = (err as {code?: string}).code
      if (!retry || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw err
      retried++
      return once()
    }
  }
  const loop = async (): Promise<void> => {
    while (!stopped && requests < max && performance.now() < deadline) {
      requests++
      const t0 = performance.now()
      try {
        const status = await send()
        statuses[status] = (statuses[status] ?? 0) + 1
        if (status >= 200 && status < 300) ok2xx++
        else non2xx++
      } catch (err) {
        errors++
        const code = (err as {code?: string}).code ?? (err as Error).name
        errorCodes[code] = (errorCodes[code] ?? 0) + 1
      }
      latencies.push(performance.now() - t0)
    }
  }
  const done = Promise.all(Array.from({length: opts.concurrency}, loop)).then(async () => {
    await agent.close()
    return totals()
  })
  return {
    snapshot: totals,
    stop: async () => {
      stopped = true
      return done
    },
    done,
  }
}

/** A minimal HTTP backend answering 200 with a fixed body; counts requests. */
export interface Backend {
  readonly port: number
  readonly requests: () => number
  close(): Promise<void>
}

/** Starts a backend on a free loopback port; `body` is what it answers. */
export async function startBackend(body = 'ok'): Promise<Backend> {
  let count = 0
  const server: Server = createServer((req, res) => {
    count++
    req.resume()
    res.writeHead(200, {'content-type': 'text/plain', 'content-length': Buffer.byteLength(body)})
    res.end(body)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('backend has no port')
  return {
    port: addr.port,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
