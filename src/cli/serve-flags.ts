/**
 * Every flag of `mlb serve`, once: marathon-lb's own flags (spec §1.1), the ones it shares with
 * zdd (spec §1.2), and mlb's own `--poll-interval` and daemon flags (marked by `mlbOnly`). Names,
 * short forms, kinds and defaults are marathon-lb's; the table drives parsing (argparse.ts),
 * `-h`, `--longhelp`, the oclif manifest and docs/serve.md.
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

/** Default of `--pid-file`: where the Lua signal endpoints find mlb (env MLB_PID_FILE of HAProxy). */
export const DEFAULT_PID_FILE = '/var/run/mlb.pid'
/** Default of `--metrics-port` (0 turns the metrics server off). */
export const DEFAULT_METRICS_PORT = 9099

/**
 * Marks flags marathon-lb does not have: argparse.ts gives a prefix they share with one of
 * marathon-lb's flags to that flag, and their help starts with `mlb:`.
 */
function mlbOnly(specs: readonly FlagSpec[]): FlagSpec[] {
  return specs.map((s) => ({...s, help: `mlb: ${s.help}`, extension: true}))
}

/**
 * mlb-only daemon flags (docs/serve.md "Daemon"). Their defaults keep marathon-lb's paths and
 * the bytes of the default HEAD, so a marathon-lb command line behaves as before.
 */
const DAEMON_FLAGS: readonly FlagSpec[] = mlbOnly([
  {name: 'haproxy-bin', kind: 'string', help: 'HAProxy program to run and validate with', defaultText: 'haproxy'},
  {name: 'haproxy-run-dir', kind: 'string', help: 'folder of the stats socket (socket), the master socket and the HAProxy pid file', defaultText: '/var/run/haproxy'},
  {name: 'haproxy-state-dir', kind: 'string', help: 'server-state-base of the default HEAD (server state saved before each reload)', defaultText: '/var/state/haproxy/'},
  {name: 'http-bind', kind: 'string', help: 'bind address of marathon_http_in', defaultText: '*:80'},
  {name: 'https-bind', kind: 'string', help: 'bind address of marathon_https_in', defaultText: '*:443'},
  {name: 'appid-bind', kind: 'string', help: 'bind address of marathon_http_appid_in', defaultText: '*:9091'},
  {name: 'stats-bind', kind: 'string', help: 'bind address of the stats listener', defaultText: '0.0.0.0:9090'},
  {name: 'haproxy-maxconn', kind: 'int', help: "global maxconn of the default HEAD (needs about twice as many file descriptors)", defaultText: '50000'},
  {name: 'haproxy-global', kind: 'append', metavar: 'LINE', help: 'extra line for the global section of the default HEAD (repeatable)', defaultText: '[]'},
  {name: 'hard-stop-after', kind: 'int', help: 'seconds an old HAProxy worker may drain after a reload before mlb stops it', defaultText: '300'},
  {name: 'metrics-port', kind: 'int', help: "port of mlb's own /metrics and /health (0: off)", defaultText: String(DEFAULT_METRICS_PORT)},
  {name: 'pid-file', kind: 'string', help: "mlb's pid file, read by the /_mlb_signal endpoints", defaultText: DEFAULT_PID_FILE},
  {name: 'no-runtime-api', kind: 'switch', help: 'always reload HAProxy, even when only servers of existing backends changed (no runtime API fast path)', defaultText: 'False'},
  {name: 'container', kind: 'switch', help: "run the container set-up of marathon-lb's run script first", defaultText: 'False', env: 'MLB_CONTAINER'},
])

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
  ...mlbOnly([
    {
      name: 'poll-interval',
      kind: 'int',
      help: "poll Marathon every this many seconds instead of following its event stream (marathon-lb's 'poll' mode)",
      defaultText: '60 in poll mode',
      env: 'POLL_INTERVAL',
    },
  ]),
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
  ...DAEMON_FLAGS,
]
