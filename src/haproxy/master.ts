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
import {systemClock, type Clock} from '../clock.js'
import {socketCommand, type SocketOptions} from './socket.js'
import {parseShowProc, type ProcTable} from './proc.js'
import {waitFor} from './wait.js'

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

/** How long the master CLI may stay unreachable while the master re-executes (~0.1 s; longer for a big configuration). */
export const REEXEC_WAIT_MS = 3000

/**
 * `show proc`, riding out a master re-execution: during a reload the master drops its CLI socket
 * until it has read the new configuration, so a caller that asks then (a status read, a reload's
 * baseline) retries for up to `waitMs` instead of failing. Throws the last error after that.
 */
export async function showProcSettled(masterSocket: string, options: {readonly clock?: Clock; readonly waitMs?: number} = {}): Promise<ProcTable> {
  const clock = options.clock ?? systemClock
  let lastError: unknown
  const table = await waitFor(
    async () => {
      try {
        return await showProc(masterSocket, {clock, timeoutMs: 2000})
      } catch (err) {
        lastError = err
        return undefined
      }
    },
    {clock, timeoutMs: options.waitMs ?? REEXEC_WAIT_MS, intervalMs: 20},
  )
  if (table === undefined) throw lastError
  return table
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
