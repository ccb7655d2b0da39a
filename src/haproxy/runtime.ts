/**
 * HAProxy runtime API over the stats socket (`stats socket … level admin` in the HEAD): raw text
 * in and out. Parsing of `show stat` is src/haproxy/stats.ts; `show servers state` text is
 * stored as is in the server-state file (spec §2.3).
 */
import {socketCommand, type SocketOptions} from './socket.js'

/**
 * Any runtime API command (e.g. `set server b/s state drain`); HAProxy answers one command per
 * connection in non-interactive mode and closes, which ends the exchange.
 */
export function runtimeCommand(statsSocket: string, command: string, options: SocketOptions = {}): Promise<string> {
  return socketCommand(statsSocket, command, options)
}

/** `show servers state`: the exact text HAProxy loads back from a `server-state-file`. */
export function showServersState(statsSocket: string, options: SocketOptions = {}): Promise<string> {
  return runtimeCommand(statsSocket, 'show servers state', options)
}

/** `show stat`: the stats CSV (header line starting with `# pxname`). */
export function showStat(statsSocket: string, options: SocketOptions = {}): Promise<string> {
  return runtimeCommand(statsSocket, 'show stat', options)
}

/** `show info`: `Key: value` lines about the worker that answered. */
export function showInfo(statsSocket: string, options: SocketOptions = {}): Promise<string> {
  return runtimeCommand(statsSocket, 'show info', options)
}
