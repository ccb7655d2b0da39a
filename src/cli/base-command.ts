import {Command} from '@oclif/core'

import {failureOf} from './failure.js'

/**
 * Shared base of mlb's commands: turns an MlbError into its lines and exit status (style rule
 * 10, through failure.ts, which `mlb serve`'s start without oclif shares). Expected failures
 * print one line, never a stack trace.
 */
export abstract class BaseCommand extends Command {
  /** What precedes `: error:` in a failure line (argparse's `prog`; default: the command id). */
  protected errorPrefix(): string {
    return this.id ?? 'mlb'
  }

  /** Printed before the message of a UsageError, as argparse prints its usage line (default: nothing). */
  protected usageForErrors(): string | undefined {
    return undefined
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const failure = failureOf(err, this.errorPrefix(), () => this.usageForErrors())
    if (failure !== undefined) {
      for (const line of failure.lines) this.logToStderr(line)
      this.exit(failure.exit)
    }
    return super.catch(err)
  }
}
