/**
 * `mlb zdd` flags: zdd.py's names, short forms and defaults (spec §8.1), the logging and auth
 * flags shared with serve (§1.2), and `--output`. Environment variables follow the `MLB_*`
 * convention (docs/zdd.md); `DCOS_SERVICE_ACCOUNT_CREDENTIAL` is marathon-lb's own.
 */
import {Errors, Flags} from '@oclif/core'

import {DEFAULT_LOG_FORMAT} from '../log.js'
import {expandLongPrefixes} from './argparse.js'

/**
 * A duration in seconds, fractions allowed (`-s 0.2`). zdd.py took whole seconds (argparse
 * `type=int`); every value it accepted still parses the same.
 */
const seconds = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input)
    if (input.trim() === '' || !Number.isFinite(n) || n < 0) throw new Errors.CLIError(`Expected a number of seconds (0 or more) but received: ${input}`)
    return n
  },
})

/** The flag table of `mlb zdd`. */
export const ZDD_FLAGS = {
  json: Flags.string({char: 'j', summary: '[required] App definition JSON file', env: 'MLB_ZDD_JSON'}),
  marathon: Flags.string({char: 'm', summary: '[required] Marathon endpoint, e.g. -m http://marathon1:8080', env: 'MLB_MARATHON'}),
  'marathon-lb': Flags.string({
    char: 'l',
    multiple: true,
    summary: '[required] Load balancer stats endpoint, e.g. -l http://marathon-lb.marathon.mesos:9090. One value: every A record of its host; repeat for an explicit list. Port defaults to 9090',
    env: 'MLB_MARATHON_LB',
  }),
  'dry-run': Flags.boolean({char: 'd', summary: 'Print the final app definition and the planned steps; change nothing'}),
  force: Flags.boolean({char: 'f', summary: 'Perform the deployment un-prompted (required without a terminal)'}),
  'step-delay': seconds({char: 's', default: 5, summary: 'Delay (in seconds, fractions allowed) between polls while waiting', env: 'MLB_ZDD_STEP_DELAY'}),
  'initial-instances': Flags.integer({char: 'i', default: 1, min: 0, summary: 'Initial number of new instances (capped at the existing number)'}),
  'linear-increase': Flags.integer({default: 0, min: 0, summary: 'Grow the new app by this many instances per step instead of ~50 %'}),
  resume: Flags.boolean({char: 'r', summary: 'Resume a deployment in progress (two colours exist)'}),
  'max-wait': Flags.integer({char: 'w', default: 300, min: 0, summary: 'Seconds to wait for old tasks to drain before killing merely draining ones', env: 'MLB_ZDD_MAX_WAIT'}),
  'deploy-timeout': Flags.integer({
    default: 0,
    min: 0,
    summary: "Seconds to wait for each Marathon deployment of the new app (its creation, each scale-up) before stopping with exit 10, everything left as it is; 0 waits without a bound, as zdd.py",
    env: 'MLB_ZDD_DEPLOY_TIMEOUT',
  }),
  'new-instances': Flags.integer({char: 'n', default: 0, min: 0, summary: 'Hybrid: run this many new instances alongside the old ones'}),
  'complete-cur': Flags.boolean({char: 'c', summary: "Change a hybrid app entirely to the current (new) app's instances", exclusive: ['complete-prev']}),
  'complete-prev': Flags.boolean({char: 'p', summary: "Change a hybrid app entirely to the previous (old) app's instances", exclusive: ['complete-cur']}),
  'pre-kill-hook': Flags.string({summary: 'Executable called before each kill with the old app, the task ids and the new app as JSON arguments; non-zero stops the deploy', env: 'MLB_ZDD_PRE_KILL_HOOK'}),
  output: Flags.string({options: ['text', 'ndjson'], default: 'text', summary: 'text (listr2 on a terminal, timestamped lines otherwise) or ndjson (one JSON event per line, then the result)', env: 'MLB_ZDD_OUTPUT'}),
  'syslog-socket': Flags.string({default: '/dev/log', summary: 'Socket for syslog logging; /dev/null disables it', env: 'MLB_SYSLOG_SOCKET'}),
  'log-format': Flags.string({default: DEFAULT_LOG_FORMAT, summary: 'Python logging format for log lines, or "json"', env: 'MLB_LOG_FORMAT'}),
  'log-level': Flags.string({default: 'DEBUG', summary: 'CRITICAL, ERROR, WARNING, INFO or DEBUG', env: 'MLB_LOG_LEVEL'}),
  'marathon-auth-credential-file': Flags.string({summary: 'File whose first line is user:pass for Marathon basic auth', env: 'MLB_MARATHON_AUTH_CREDENTIAL_FILE'}),
  'auth-credentials': Flags.string({summary: 'user:pass for Marathon basic auth (prefer the credential file: argv is visible to other users)', env: 'MLB_AUTH_CREDENTIALS'}),
  'dcos-auth-credentials': Flags.string({summary: 'DC/OS service account credentials JSON', env: 'DCOS_SERVICE_ACCOUNT_CREDENTIAL'}),
  'marathon-ca-cert': Flags.string({summary: 'CA bundle to verify Marathon TLS (and the DC/OS login)', env: 'MLB_MARATHON_CA_CERT'}),
}

/** Parsed flag values. */
export interface ZddFlagValues {
  readonly json: string | undefined
  readonly marathon: string | undefined
  readonly 'marathon-lb': readonly string[] | undefined
  readonly 'dry-run': boolean
  readonly force: boolean
  readonly 'step-delay': number
  readonly 'initial-instances': number
  readonly 'linear-increase': number
  readonly resume: boolean
  readonly 'max-wait': number
  readonly 'deploy-timeout': number
  readonly 'new-instances': number
  readonly 'complete-cur': boolean
  readonly 'complete-prev': boolean
  readonly 'pre-kill-hook': string | undefined
  readonly output: string
  readonly 'syslog-socket': string
  readonly 'log-format': string
  readonly 'log-level': string
  readonly 'marathon-auth-credential-file': string | undefined
  readonly 'auth-credentials': string | undefined
  readonly 'dcos-auth-credentials': string | undefined
  readonly 'marathon-ca-cert': string | undefined
}

/** mlb's additions to zdd.py's flags: a prefix they share with one of zdd.py's flags means that flag. */
const ZDD_EXTENSIONS: ReadonlySet<string> = new Set(['output', 'deploy-timeout'])

/**
 * `argv` with long-option prefixes written out: zdd.py (argparse) took `--new 2` or
 * `--complete-c`, oclif takes whole names only.
 */
export function zddArgv(argv: readonly string[]): string[] {
  return expandLongPrefixes(argv, Object.keys(ZDD_FLAGS), ZDD_EXTENSIONS)
}
