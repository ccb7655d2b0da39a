import {Command} from '@oclif/core'

import {MlbError, UsageError} from '../errors.js'

/**
 * Shared base of mlb's commands: the only place that turns an {@link MlbError} into an exit
 * status (style rule 10). Expected failures print one line, never a stack trace.
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
    if (err instanceof MlbError) {
      const usage = err instanceof UsageError ? this.usageForErrors() : undefined
      if (usage !== undefined) this.logToStderr(usage)
      this.logToStderr(`${this.errorPrefix()}: error: ${err.message}`)
      this.exit(err.exit)
    }
    return super.catch(err)
  }
}
