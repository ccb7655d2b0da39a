import {Command} from '@oclif/core'

import {MlbError} from '../errors.js'

/**
 * Shared base of mlb's commands: the only place that turns an {@link MlbError} into an exit
 * status (style rule 10). Expected failures print one line, never a stack trace.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof MlbError) {
      this.logToStderr(`${this.id ?? 'mlb'}: error: ${err.message}`)
      this.exit(err.exit)
    }
    return super.catch(err)
  }
}
