/**
 * `haproxy -c -f <file>` with a bound (spec §6.4 step 4; style rule 6). The process output is
 * parsed by check-output.ts.
 */
import {systemClock, type Clock} from '../clock.js'
import {checkErrors, parseCheckOutput, type CheckMessage} from './check-output.js'
import {runProcess} from './run-process.js'

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** HAProxy binary (default `haproxy` from PATH). */
  readonly haproxyBin?: string
  /** Bound on one check (default 30 s: a 1,000-app config checks in well under a second). */
  readonly timeoutMs?: number
  readonly clock?: Clock
  /** Environment of the check (the same as the running HAProxy's, for `${VAR}` expansion). */
  readonly env?: NodeJS.ProcessEnv
}

/** Outcome of one `haproxy -c`. */
export interface ValidationResult {
  readonly valid: boolean
  /** Alerts (at least one when invalid) and warnings, parsed. */
  readonly errors: readonly CheckMessage[]
  readonly warnings: readonly CheckMessage[]
  /** Raw stderr, for the failed-config report. */
  readonly output: string
  readonly durationMs: number
}

/** Default bound on `haproxy -c`. */
export const DEFAULT_VALIDATE_TIMEOUT_MS = 30_000

/** Checks the configuration file at `file`; never throws for an invalid config. */
export async function validateConfig(file: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_VALIDATE_TIMEOUT_MS
  const r = await runProcess(options.haproxyBin ?? 'haproxy', ['-c', '-f', file], {
    timeoutMs,
    clock: options.clock ?? systemClock,
    ...(options.env ? {env: options.env} : {}),
  })
  const messages = parseCheckOutput(r.stderr)
  const warnings = messages.filter((m) => m.severity === 'warning')
  const valid = r.code === 0 && !r.timedOut
  if (valid) return {valid, errors: [], warnings, output: r.stderr, durationMs: r.durationMs}
  const why = r.spawnError !== undefined
    ? `cannot run ${options.haproxyBin ?? 'haproxy'}: ${r.spawnError} (install it: apt-get install -y haproxy)`
    : r.timedOut
      ? `haproxy -c did not finish within ${timeoutMs} ms`
      : `haproxy -c exited with ${r.code ?? r.signal ?? 'unknown status'}`
  return {valid, errors: checkErrors(messages, why), warnings, output: r.stderr, durationMs: r.durationMs}
}
