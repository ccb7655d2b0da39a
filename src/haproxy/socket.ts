/**
 * One command over an HAProxy CLI unix socket (stats socket or master socket), answer as raw
 * text (style rule 8: parsing lives elsewhere). The runtime API is a line protocol, not HTTP
 * (dependencies.md §3), so this uses node:net.
 */
import {createConnection} from 'node:net'
import {HaproxyError} from '../errors.js'
import {systemClock, type Clock} from '../clock.js'

/** Options of {@link socketCommand}. */
export interface SocketOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number
  readonly clock?: Clock
}

/** Default bound on one CLI exchange. */
export const DEFAULT_SOCKET_TIMEOUT_MS = 5000

/**
 * Writes `line` plus a newline to the unix socket at `path` and resolves with everything
 * HAProxy writes back until it closes the connection. Rejects with an HaproxyError
 * (`MLB_ERR_HAPROXY_SOCKET`) on connection errors or after the timeout.
 */
export function socketCommand(path: string, line: string, options: SocketOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS
  const clock = options.clock ?? systemClock
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let settled = false
    const finish = (err: Error | undefined): void => {
      if (settled) return
      settled = true
      timer.cancel()
      sock.destroy()
      if (err) reject(new HaproxyError(`${path}: ${err.message} (command: ${line})`, {cause: err, code: 'MLB_ERR_HAPROXY_SOCKET'}))
      else resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const timer = clock.timer(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)))
    const sock = createConnection({path}, () => sock.write(`${line}\n`))
    sock.on('data', (c: Buffer) => chunks.push(c))
    sock.on('end', () => finish(undefined))
    sock.on('error', (e) => finish(e))
  })
}
