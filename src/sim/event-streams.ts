/**
 * `GET /v2/events` (marathon-api §7): Jetty's EventSource framing (`event:`/`data:` lines with
 * CRLF, a blank CRLF line), a bare `\r` `\n` heartbeat every 10 s, `Connection: close` with no
 * chunking, the `event_type` filter and the slow-consumer limit; plus drop and stall faults.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Clock, TimerHandle} from '../clock.js'
import type {EventBus, SimEvent} from './event-bus.js'

/** Jetty's `heartBeatPeriod`, which Marathon keeps (marathon-api §7.2). */
export const DEFAULT_HEARTBEAT_MS = 10_000

/** Options of {@link EventStreams}. */
export interface EventStreamOptions {
  readonly clock: Clock
  /** Jetty's `heartBeatPeriod` (Marathon keeps the 10 s default). */
  readonly heartbeatMs: number
  /** `event_stream_max_outstanding_messages` (default 1024). */
  readonly maxOutstanding: number
}

interface Stream {
  readonly res: ServerResponse
  readonly filter: ReadonlySet<string> | undefined
  readonly queue: string[]
  heartbeat: TimerHandle | undefined
  unsubscribe: () => void
}

/** Jetty's answer to a GET whose Accept is not exactly `text/event-stream`. */
const NOT_SUPPORTED =
  '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n<title>Error 405 HTTP method GET is not supported by this URL</title>\n</head>\n<body><h2>HTTP ERROR 405</h2>\n<p>Problem accessing /v2/events. Reason:\n<pre>    HTTP method GET is not supported by this URL</pre></p>\n</body>\n</html>\n'

/** True when one of the Accept header values is exactly `text/event-stream` (Jetty's `equals`). */
export function acceptsEventStream(req: IncomingMessage): boolean {
  const values = req.headersDistinct['accept'] ?? []
  return values.some((v) => v === 'text/event-stream')
}

/** Formats one event as Jetty's EventSourceEmitter writes it. */
export function frameEvent(event: SimEvent): string {
  return `event: ${event.eventType}\r\ndata: ${JSON.stringify(event)}\r\n\r\n`
}

/** The open event streams of one simulator instance. */
export class EventStreams {
  private readonly streams = new Set<Stream>()
  private stalled = false

  constructor(private readonly bus: EventBus, private readonly opts: EventStreamOptions) {}

  /** Number of open streams. */
  get count(): number {
    return this.streams.size
  }

  /** Answers a `GET /v2/events`; `headers` are the common Marathon headers. */
  open(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, headers: Readonly<Record<string, string>>): void {
    if (!acceptsEventStream(req)) {
      res.writeHead(405, {...headers, 'Content-Type': 'text/html;charset=iso-8859-1', 'Content-Length': Buffer.byteLength(NOT_SUPPORTED)})
      res.end(NOT_SUPPORTED)
      return
    }
    const types = query.getAll('event_type')
    const stream: Stream = {res, filter: types.length > 0 ? new Set(types) : undefined, queue: [], heartbeat: undefined, unsubscribe: () => {}}
    // Jetty streams until close with no chunked framing.
    res.useChunkedEncodingByDefault = false
    res.shouldKeepAlive = false
    res.writeHead(200, {...headers, 'Content-Type': 'text/event-stream;charset=utf-8', Connection: 'close'})
    res.flushHeaders()
    this.streams.add(stream)
    res.on('drain', () => {
      if (!this.stalled) this.flush(stream)
    })
    stream.unsubscribe = this.bus.subscribe((e) => this.send(stream, e))
    this.beat(stream)
    const remoteAddress = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'
    res.on('close', () => {
      if (!this.streams.delete(stream)) return
      stream.unsubscribe()
      stream.heartbeat?.cancel()
      this.bus.publish('event_stream_detached', {remoteAddress})
    })
    this.bus.publish('event_stream_attached', {remoteAddress})
  }

  private beat(stream: Stream): void {
    stream.heartbeat = this.opts.clock.timer(this.opts.heartbeatMs, () => {
      if (!this.streams.has(stream)) return
      if (!this.stalled) {
        stream.res.write('\r')
        stream.res.write('\n')
      }
      this.beat(stream)
    })
  }

  private send(stream: Stream, e: SimEvent): void {
    if (stream.filter !== undefined && !stream.filter.has(e.eventType)) return
    stream.queue.push(frameEvent(e))
    if (stream.queue.length > this.opts.maxOutstanding) {
      // Slow consumer: Marathon closes the connection (§7.2).
      stream.res.destroy()
      return
    }
    // A client that does not read fills the socket buffer; events then queue up to the limit.
    if (!this.stalled && !stream.res.writableNeedDrain) this.flush(stream)
  }

  private flush(stream: Stream): void {
    if (stream.queue.length === 0) return
    stream.res.write(stream.queue.join(''))
    stream.queue.length = 0
  }

  /** Fault: cuts every open stream (the client sees the connection end). */
  drop(): void {
    for (const s of [...this.streams]) s.res.destroy()
  }

  /** Fault: open streams stay connected but send nothing (no events, no heartbeats). */
  stall(): void {
    this.stalled = true
  }

  /** Ends a stall; events held back are sent. */
  resume(): void {
    this.stalled = false
    for (const s of this.streams) this.flush(s)
  }

  /** Closes every stream (shutdown or lost leadership). */
  closeAll(): void {
    for (const s of [...this.streams]) s.res.end()
  }
}
