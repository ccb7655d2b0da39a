/**
 * How an expected failure (an {@link MlbError}) reaches the user: one line `<prog>: error: …`,
 * after the usage line for a UsageError, and the error's exit status (style rule 10). Shared by
 * the oclif commands (base-command.ts) and `mlb serve`'s start without oclif (serve-process.ts).
 */
import {MlbError, UsageError} from '../errors.js'

/** The stderr lines and exit status of `err`, or undefined when it is not an expected failure. */
export function failureOf(err: unknown, prog: string, usage: () => string | undefined): {readonly lines: readonly string[]; readonly exit: number} | undefined {
  if (!(err instanceof MlbError)) return undefined
  const shown = err instanceof UsageError ? usage() : undefined
  return {lines: [...(shown === undefined ? [] : [shown]), `${prog}: error: ${err.message}`], exit: err.exit}
}
