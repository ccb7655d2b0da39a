/**
 * Syslog sink for {@link createLogger} (`--syslog-socket`, spec §1.2). Node cannot write to a unix
 * datagram socket, so one long-lived util-linux `logger -u <socket> --prio-prefix` child is fed one
 * line per record on stdin; each line starts with `<PRI>`, so one process carries every level
 * (facility user, as Python's SysLogHandler). `logger -u` itself picks a datagram or stream socket
 * and reconnects per message when the socket comes back. The sink never blocks or throws: lines are
 * dropped while the child is down or backed up, and the child is restarted a bounded number of times.
 */
import {spawn, type ChildProcess} from 'node:child_process'

import {systemClock, type Clock, type TimerHandle} from './clock.js'
import {withoutCredentials} from './credential-env.js'
import type {LogLevel, LogRecord} from './log.js'

/** marathon-lb's default `--syslog-socket` on Linux. */
export const DEFAULT_SYSLOG_SOCKET = '/dev/log'
/** The `--syslog-socket` value that disables syslog logging (spec §1.2). */
export const SYSLOG_DISABLED = '/dev/null'

/** syslog severities of Python's SysLogHandler mapping (WARNING → warning, ERROR → err). */
const SEVERITY: Record<LogLevel, number> = {debug: 7, info: 6, warn: 4, error: 3}
const FACILITY_USER = 1

/** The `<PRI>` number of a record: facility × 8 + severity. */
export function syslogPriority(level: LogLevel, facility: number = FACILITY_USER): number {
  return facility * 8 + SEVERITY[level]
}

/** The stdin line for `logger --prio-prefix`: `<PRI>` then the text on one line (CR/LF/NUL → space). */
export function syslogLine(line: string, level: LogLevel, facility?: number): string {
  return `<${syslogPriority(level, facility)}>${line.replace(/[\r\n\0]+/g, ' ')}\n`
}

/** Arguments of the `logger` child: only the socket path and the tag, never a message. */
export function loggerArgs(socket: string, tag: string, maxSize: number): string[] {
  return ['-u', socket, '--socket-errors=off', '--prio-prefix', '-t', tag, '--size', String(maxSize)]
}

/** True when `deaths` (times, ms) allow another restart: fewer than `max` within `windowMs` of `now`. */
export function mayRestart(deaths: readonly number[], now: number, max: number, windowMs: number): boolean {
  return deaths.filter((t) => now - t < windowMs).length <= max
}

/** Options of {@link createSyslogSink}. */
export interface SyslogSinkOptions {
  readonly socket: string
  /** syslog tag (`-t`), e.g. the logger name. */
  readonly tag: string
  /** Program to run (default `logger` from PATH). */
  readonly command?: string
  readonly clock?: Clock
  /** Restarts allowed within `restartWindowMs` before the sink gives up (default 5 per minute). */
  readonly maxRestarts?: number
  readonly restartWindowMs?: number
  /** Wait before a restart (default 1 s). */
  readonly restartDelayMs?: number
  /** Bytes queued on the child's stdin beyond which lines are dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number
  /** Longest message sent (`logger --size`, default 8 KiB). */
  readonly maxMessageBytes?: number
  /** Problems of the sink itself; must not log through the sink (default: a stderr line). */
  readonly onProblem?: (msg: string) => void
}

/** A running syslog sink. */
export interface SyslogSink {
  /** The sink function for `createLogger({sinks})`. */
  readonly write: (line: string, rec: LogRecord) => void
  /** Counters, for metrics and tests. */
  stats(): {readonly restarts: number; readonly dropped: number; readonly running: boolean; readonly pid: number | undefined}
  /** Flushes what was written and stops the child (bounded by `timeoutMs`, default 2 s). */
  close(timeoutMs?: number): Promise<void>
}

/** Starts the syslog sink, or returns undefined when `socket` is `/dev/null` (syslog disabled). */
export function createSyslogSink(opts: SyslogSinkOptions): SyslogSink | undefined {
  if (opts.socket === SYSLOG_DISABLED) return undefined
  const clock = opts.clock ?? systemClock
  const problem = opts.onProblem ?? ((msg: string) => process.stderr.write(`mlb: syslog: ${msg}\n`))
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024
  const args = loggerArgs(opts.socket, opts.tag, opts.maxMessageBytes ?? 8192)
  const deaths: number[] = []
  let child: ChildProcess | undefined
  let restartTimer: TimerHandle | undefined
  let restarts = 0
  let dropped = 0
  let closed = false
  let gaveUp = false

  const onDeath = (proc: ChildProcess, why: string): void => {
    if (child !== proc) return
    child = undefined
    if (closed) return
    const now = clock.now()
    deaths.push(now)
    if (!mayRestart(deaths, now, opts.maxRestarts ?? 5, opts.restartWindowMs ?? 60_000)) {
      gaveUp = true
      problem(`${opts.command ?? 'logger'} ${why}; giving up on syslog logging to ${opts.socket}`)
      return
    }
    problem(`${opts.command ?? 'logger'} ${why}; restarting`)
    restartTimer = clock.timer(opts.restartDelayMs ?? 1000, () => {
      restartTimer = undefined
      restarts++
      start()
    })
  }

  const start = (): void => {
    if (closed) return
    const proc = spawn(opts.command ?? 'logger', args, {stdio: ['pipe', 'ignore', 'ignore'], env: withoutCredentials(process.env)})
    child = proc
    let dead = false
    const died = (why: string): void => {
      if (dead) return
      dead = true
      onDeath(proc, why)
    }
    proc.on('error', (err) => died(`failed: ${err.message}`))
    proc.on('exit', (code, signal) => died(`exited (${signal ?? code})`))
    // EPIPE when the child dies under a write: the exit handler deals with it.
    proc.stdin?.on('error', () => {})
    // The sink must not keep a finished daemon alive.
    proc.unref()
    ;(proc.stdin as unknown as {unref?: () => void} | null)?.unref?.()
  }

  start()
  return {
    write: (line, rec) => {
      const stdin = child?.stdin
      if (closed || stdin == null || !stdin.writable || stdin.writableLength > maxBuffered) {
        dropped++
        return
      }
      stdin.write(syslogLine(line, rec.level))
    },
    stats: () => ({restarts, dropped, running: child !== undefined && !gaveUp, pid: child?.pid}),
    close: async (timeoutMs = 2000) => {
      closed = true
      restartTimer?.cancel()
      const proc = child
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
      await new Promise<void>((resolve) => {
        const t = clock.timer(timeoutMs, () => {
          proc.kill('SIGKILL')
          resolve()
        })
        proc.once('exit', () => {
          t.cancel()
          resolve()
        })
        proc.stdin?.end()
      })
    },
  }
}
