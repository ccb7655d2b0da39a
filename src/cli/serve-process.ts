/**
 * `mlb serve` as a process: its stdout, the hiding of its command line, and the exit status of
 * expected failures. Run by the oclif command (commands/serve.ts) and, without oclif, by
 * bin/run.js: `mlb serve` parses its flags itself (argparse-compatible, src/cli/argparse.ts), so
 * loading oclif's command machinery only to call it cost ~100 ms of every `--dry` run and daemon
 * start. Both starts go through here, so they behave the same.
 */
import {formatUsage} from './argparse-help.js'
import {failureOf} from './failure.js'
import {SERVE_FLAGS, SERVE_PROG} from './serve-flags.js'
import type {ServeIo} from './serve-main.js'

/** The process's side of {@link ServeIo} for `argv` (the arguments after `serve`). */
export function processIo(argv: readonly string[]): ServeIo {
  return {
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve()))),
    hideArgv: () => {
      process.title = 'mlb serve' // overwrites /proc/<pid>/cmdline, so `ps` no longer shows credentials
    },
  }
}

/** The stderr lines and exit status of an expected failure of `mlb serve`, else undefined. */
export function serveFailure(err: unknown): {readonly lines: readonly string[]; readonly exit: number} | undefined {
  return failureOf(err, SERVE_PROG, () => formatUsage(SERVE_PROG, SERVE_FLAGS))
}

/**
 * Runs `mlb serve` without oclif. An expected failure prints its lines and exits with its status,
 * as the oclif command does; anything else is handed to oclif's own error handler.
 */
export async function serveProcess(argv: readonly string[]): Promise<void> {
  const {runServe} = await import('./serve-main.js')
  try {
    // After a one-shot, nothing is left to flush (stdout and stderr are synchronous for files and
    // pipes on Linux, and a one-shot logs to stderr only), so the process leaves at once: tearing
    // down the heap of a 5,000-app `--dry` cost tens of milliseconds.
    if ((await runServe(processIo(argv))) === 'printed') process.exit(0)
  } catch (err) {
    const failure = serveFailure(err)
    if (failure === undefined) {
      const {handle} = await import('@oclif/core')
      await handle(err as Error)
      return
    }
    for (const line of failure.lines) process.stderr.write(`${line}\n`)
    process.exit(failure.exit)
  }
}
