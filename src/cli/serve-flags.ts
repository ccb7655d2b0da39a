/**
 * Every flag of `mlb serve`, once: marathon-lb's own flags (spec §1.1), the ones it shares with
 * zdd (spec §1.2), and mlb's `--poll-interval`. Names, short forms, kinds and defaults are
 * marathon-lb's; the table drives parsing (argparse.ts), `-h`, `--longhelp`, the oclif manifest
 * and docs/serve.md.
 */
import type {FlagSpec} from './argparse.js'

/** Program name used in usage lines and argparse-style errors. */
export const SERVE_PROG = 'mlb serve'

/** One-line description, shown under the usage line. */
export const SERVE_DESCRIPTION = 'Marathon HAProxy Load Balancer'

/** Default of `--marathon` (spec §1.1). */
export const DEFAULT_MARATHON = 'http://master.mesos:8080'
/** Default of `--haproxy-config`. */
export const DEFAULT_HAPROXY_CONFIG = '/etc/haproxy/haproxy.cfg'
/** Default of `--ssl-certs` (also what an empty value means). */
export const DEFAULT_SSL_CERT = '/etc/ssl/cert.pem'
/** Default of `--syslog-socket` (marathon-lb uses /var/run/syslog on macOS). */
export const DEFAULT_SYSLOG_SOCKET = process.platform === 'darwin' ? '/var/run/syslog' : '/dev/log'

/** The flag table of `mlb serve`, in marathon-lb's order. */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  {name: 'longhelp', kind: 'switch', help: 'Print out configuration details', defaultText: 'False'},
  {
    name: 'marathon',
    char: 'm',
    kind: 'list',
    help: '[required] Marathon endpoint, eg. -m http://marathon1:8080 http://marathon2:8080',
    defaultText: `['${DEFAULT_MARATHON}']`,
  },
  {name: 'haproxy-config', kind: 'string', help: 'Location of haproxy configuration', defaultText: DEFAULT_HAPROXY_CONFIG},
  {
    name: 'group',
    kind: 'append',
    help: "[required] Only generate config for apps which list the specified names. Use '*' to match all groups, including those without a group specified.",
    defaultText: '[]',
  },
  {name: 'command', char: 'c', kind: 'string', help: 'If set, run this command to reload haproxy.', defaultText: 'None'},
  {
    name: 'max-reload-retries',
    kind: 'int',
    help: 'Max reload retries before failure. Reloads happen every --reload-interval seconds. Set to 0 to disable or -1 for infinite retries.',
    defaultText: '10',
  },
  {name: 'reload-interval', kind: 'int', help: 'Wait this number of seconds between reload retries.', defaultText: '10'},
  {
    name: 'strict-mode',
    kind: 'switch',
    help: 'If set, backends are only advertised if HAPROXY_{n}_ENABLED=true. Strict mode will be enabled by default in a future release.',
    defaultText: 'False',
  },
  {name: 'sse', char: 's', kind: 'switch', help: 'Use Server Sent Events', defaultText: 'False'},
  {name: 'archive-versions', kind: 'int', help: 'Number of config versions to archive', defaultText: '5'},
  {
    name: 'health-check',
    char: 'H',
    kind: 'switch',
    help: "If set, respect Marathon's health check statuses before adding the app instance into the backend pool.",
    defaultText: 'False',
  },
  {
    name: 'lru-cache-capacity',
    kind: 'int',
    help: 'LRU cache size (in number of items). This should be at least as large as the number of tasks exposed via marathon-lb.',
    defaultText: '1000',
  },
  {name: 'haproxy-map', kind: 'switch', help: 'Use HAProxy maps for domain name to backend mapping.', defaultText: 'False'},
  {name: 'dont-bind-http-https', kind: 'switch', help: "Don't bind to HTTP and HTTPS frontends.", defaultText: 'False'},
  {name: 'group-https-by-vhost', kind: 'switch', help: 'Group https frontends by vhost.', defaultText: 'False'},
  {
    name: 'ssl-certs',
    kind: 'string',
    help: 'List of SSL certificates separated by comma for frontend marathon_https_in Ex: /etc/ssl/site1.co.pem,/etc/ssl/site2.co.pem',
    defaultText: DEFAULT_SSL_CERT,
  },
  {name: 'skip-validation', kind: 'switch', help: 'Skip haproxy config file validation', defaultText: 'False'},
  {
    name: 'skip-config-cleanup',
    kind: 'switch',
    help: "If one app fails, don't try to make configuration valid by removing apps one by one",
    defaultText: 'False',
  },
  {name: 'dry', char: 'd', kind: 'switch', help: 'Only print configuration to console', defaultText: 'False'},
  {
    name: 'min-serv-port-ip-per-task',
    kind: 'int',
    help: 'Minimum port number to use when auto-assigning service ports for IP-per-task applications',
    defaultText: '10050',
  },
  {
    name: 'max-serv-port-ip-per-task',
    kind: 'int',
    help: 'Maximum port number to use when auto-assigning service ports for IP-per-task applications',
    defaultText: '10100',
  },
  {name: 'max-backoff', kind: 'int', help: 'Maximum backoff to restart connection to Marathon', defaultText: '300'},
  {
    name: 'poll-interval',
    kind: 'int',
    help: "mlb: poll Marathon every this many seconds instead of following its event stream (marathon-lb's 'poll' mode)",
    defaultText: '60 in poll mode',
    env: 'POLL_INTERVAL',
  },
  {
    name: 'syslog-socket',
    kind: 'string',
    help: "Socket to write syslog messages to. Use '/dev/null' to disable logging to syslog",
    defaultText: DEFAULT_SYSLOG_SOCKET,
    env: 'SYSLOG_SOCKET',
  },
  {name: 'log-format', kind: 'string', help: "Set log message format ('json' for JSON lines)", defaultText: '%(asctime)-15s %(name)s: %(message)s'},
  {name: 'log-level', kind: 'string', help: 'Set log level', defaultText: 'DEBUG'},
  {
    name: 'marathon-auth-credential-file',
    kind: 'string',
    help: "Path to file containing a user/pass for the Marathon HTTP API in the format of 'user:pass'.",
    defaultText: 'None',
  },
  {
    name: 'auth-credentials',
    kind: 'string',
    help: "user/pass for the Marathon HTTP API in the format of 'user:pass'.",
    defaultText: 'None',
    env: 'MARATHON_USER + MARATHON_PASSWORD',
  },
  {
    name: 'dcos-auth-credentials',
    kind: 'string',
    help: 'DC/OS service account credentials',
    defaultText: '$DCOS_SERVICE_ACCOUNT_CREDENTIAL',
    env: 'DCOS_SERVICE_ACCOUNT_CREDENTIAL',
  },
  {name: 'marathon-ca-cert', kind: 'string', help: 'CA certificate for Marathon HTTPS connections', defaultText: 'None'},
]
