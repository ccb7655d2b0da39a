import {Command, Errors} from '@oclif/core'

import {zddArgv, ZDD_FLAGS} from '../src/cli/zdd-flags.js'
import {UsageError} from '../src/errors.js'

/** Usage errors are exit 3 in zdd (docs/zdd.md), not oclif's 2, which zdd.py reserves for unexpected errors. */
const USAGE_EXIT = 3

/**
 * `mlb zdd`: zero-downtime blue/green deploys with zdd.py's flags, labels, hook and exit codes
 * (spec §8). oclif's own `--json` is not enabled: `-j/--json` is the app definition file.
 */
export default class Zdd extends Command {
  static override summary = 'Zero-downtime blue/green deployment of a Marathon app (zdd.py compatible)'
  static override description =
    'Deploys the app of --json as a new colour next to the running one and shifts traffic as the load balancers drain the old tasks. Exit codes: 0 ok, 1 declined, 2 unexpected error or failed hook, 3 invalid argument, 4 missing field, 5 load balancer, 6 Marathon, 7 create, 8 delete, 9 scale, 10 --deploy-timeout passed; 130/143 interrupted (resumable). See docs/zdd.md.'
  static override flags = ZDD_FLAGS

  async run(): Promise<void> {
    const {flags} = await this.parse(Zdd, zddArgv(this.argv))
    process.title = 'mlb zdd' // hides credential flags from `ps`
    const {runZddCli, startupFailure} = await import('../src/cli/zdd-main.js')
    const controller = new AbortController()
    const onSignal = (sig: 'SIGINT' | 'SIGTERM') => (): void => {
      process.stderr.write(`zdd: ${sig} received: stopping now; nothing more is sent to Marathon (run again with --resume)\n`)
      controller.abort(sig)
    }
    process.once('SIGINT', onSignal('SIGINT'))
    process.once('SIGTERM', onSignal('SIGTERM'))
    let exit: number
    try {
      exit = await runZddCli(flags, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        stdin: process.stdin,
        stdoutStream: process.stdout,
        signal: controller.signal,
      })
    } catch (err) {
      const failure = startupFailure(err)
      this.logToStderr(`zdd: error: ${failure.message}`)
      exit = failure.exit
    }
    if (exit !== 0) this.exit(exit)
  }

  protected override async catch(err: Error & {oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err
    // Everything else reaching here is flag parsing: an ambiguous prefix (zddArgv), or oclif's
    // own errors (unknown flag, bad integer, …).
    if (err instanceof UsageError || err.oclif?.exit === 2) {
      this.logToStderr(`zdd: error: ${err.message}`)
      this.exit(USAGE_EXIT)
    }
    return super.catch(err)
  }
}
