/**
 * Runs a program to completion without a shell (for `haproxy -c` and the external `--command`
 * reloader), with a bound on its run time. Output is returned raw.
 */
import {spawn} from 'node:child_process'
import {systemClock, type Clock} from '../clock.js'
import {withoutCredentials} from '../credential-env.js'

/** How a process run ended. */
export interface ProcessResult {
  /** Exit status, or undefined when killed by a signal or never started. */
  readonly code: number | undefined
  readonly signal: string | undefined
  readonly stdout: string
  readonly stderr: string
  /** The bound was reached and the process was killed with SIGKILL. */
  readonly timedOut: boolean
  /** Spawn failure (missing binary, permission), if any. */
  readonly spawnError: string | undefined
  readonly durationMs: number
}

/** Options of {@link runProcess}. */
export interface RunOptions {
  readonly timeoutMs: number
  readonly clock?: Clock
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

/** Output kept per stream; `haproxy -c` on a broken 1,000-app config stays far below this. */
const MAX_OUTPUT = 4 * 1024 * 1024

/** Runs `file` with `args` (no shell) and resolves when it exits or the bound kills it. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const clock = options.clock ?? systemClock
  const start = clock.monotonic()
  return new Promise((resolve) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let size = 0
    let timedOut = false
    let spawnError: string | undefined
    const child = spawn(file, [...args], {stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? withoutCredentials(process.env), ...(options.cwd ? {cwd: options.cwd} : {})})
    const keep = (list: Buffer[]) => (c: Buffer) => {
      if (size < MAX_OUTPUT) list.push(c)
      size += c.length
    }
    child.stdout.on('data', keep(out))
    child.stderr.on('data', keep(err))
    const timer = clock.timer(options.timeoutMs, () => {
      timedOut = true
      child.kill('SIGKILL')
    })
    child.on('error', (e) => {
      spawnError = e.message
    })
    child.on('close', (code, signal) => {
      timer.cancel()
      resolve({
        code: code ?? undefined,
        signal: signal ?? undefined,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        spawnError,
        durationMs: clock.monotonic() - start,
      })
    })
  })
}
