import {BaseCommand} from '../src/cli/base-command.js'
import {formatUsage} from '../src/cli/argparse-help.js'
import {oclifFlags} from '../src/cli/oclif-flags.js'
import {SERVE_FLAGS, SERVE_PROG} from '../src/cli/serve-flags.js'

/**
 * `mlb serve`: marathon-lb's command line (spec §1). Flags are parsed argparse-style in
 * src/cli/argparse.ts (prefixes, `-m a b`, argparse messages), which oclif's parser cannot do;
 * the oclif flag list below is generated from the same table for `--help` and the manifest.
 */
export default class Serve extends BaseCommand {
  static override summary = 'Run the Marathon load balancer: watch Marathon, render haproxy.cfg, drive HAProxy (marathon-lb compatible); --dry prints the configuration once'
  static override description =
    'Accepts every marathon-lb flag with the same names, short forms and defaults. --dry prints the configuration once; -h shows argparse-style help and --longhelp the template and label reference.'
  static override strict = false
  static override flags = oclifFlags(SERVE_FLAGS)

  protected override errorPrefix(): string {
    return SERVE_PROG
  }

  protected override usageForErrors(): string {
    return formatUsage(SERVE_PROG, SERVE_FLAGS)
  }

  // bin/run.js starts `mlb serve` without oclif (src/cli/serve-process.ts) except for `--help`;
  // this runs it when oclif is asked directly (tests, embedders, `bin/dev.js`).
  async run(): Promise<void> {
    this.parsed = true // parsing is argparse-compatible, done by runServe
    const [{runServe}, {processIo}] = await Promise.all([import('../src/cli/serve-main.js'), import('../src/cli/serve-process.js')])
    await runServe(processIo(this.argv))
  }
}
