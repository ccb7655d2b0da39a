/**
 * The master CLI (`haproxy -W -S <path>,mode,600`): raw text I/O. Parsing is in proc.ts.
 *
 * HAProxy 2.6 quirks verified against the binary:
 * - the master does not close the connection after answering its own commands (`show proc`,
 *   `help`), so every command is sent as `<cmd>;quit` (a worker command prefixed with `@1` or
 *   `@!<pid>` is closed by the worker, and `;quit` is harmless there);
 * - `reload` answers nothing: the master re-executes itself and drops every CLI connection.
 *   Whether the reload worked is read from `show proc` afterwards (see proc.judgeReload).
 */
import {socketCommand, type SocketOptions} from './socket.js'
import {parseShowProc, type ProcTable} from './proc.js'

/** Sends one command to the master CLI and returns its raw answer. */
export function masterCommand(masterSocket: string, command: string, options: SocketOptions = {}): Promise<string> {
  return socketCommand(masterSocket, `${command};quit`, options)
}

/** Raw `show proc`. */
export function showProcText(masterSocket: string, options: SocketOptions = {}): Promise<string> {
  return masterCommand(masterSocket, 'show proc', options)
}

/** `show proc`, parsed. */
export async function showProc(masterSocket: string, options: SocketOptions = {}): Promise<ProcTable> {
  return parseShowProc(await showProcText(masterSocket, options))
}

/** Asks the master to reload (re-exec, re-read the configuration, fork a new worker). */
export async function requestReload(masterSocket: string, options: SocketOptions = {}): Promise<void> {
  // The master closes the connection as it re-executes; the (empty) answer carries no status.
  await socketCommand(masterSocket, 'reload', options)
}

/** Sends a runtime command to the current worker through the master (`@1 <command>`). */
export function workerCommand(masterSocket: string, command: string, options: SocketOptions = {}): Promise<string> {
  return masterCommand(masterSocket, `@1 ${command}`, options)
}
