/**
 * `mlb serve` flags → one typed {@link ServeOptions} (style rule 2: the world is read once).
 * Applies marathon-lb's defaults and post-parse validation in its order (spec §1.1), the
 * environment conventions (docs/serve.md) and mlb's mode selection.
 */
import {MlbError, UsageError} from '../errors.js'
import type {GenerateOptions} from '../generate.js'
import {DEFAULT_LOG_FORMAT, parseLogLevel, type LogLevel} from '../log.js'
import {flagDisplayName, parsePythonInt, type FlagValue, type ParsedArgs} from '../cli/argparse.js'
import {
  DEFAULT_HAPROXY_CONFIG,
  DEFAULT_MARATHON,
  DEFAULT_METRICS_PORT,
  DEFAULT_PID_FILE,
  DEFAULT_SSL_CERT,
  DEFAULT_SYSLOG_SOCKET,
  SERVE_FLAGS,
} from '../cli/serve-flags.js'

/** The credential flags, kept as given; src/marathon/auth.ts turns them into a MarathonAuth. */
export interface AuthFlags {
  readonly credentialFile: string | undefined
  readonly credentials: string | undefined
  readonly dcosCredentials: string | undefined
}

/** How the daemon watches Marathon (issue 4): its event stream, or polling. */
export type WatchMode = {readonly kind: 'events'} | {readonly kind: 'poll'; readonly intervalSeconds: number}

/** mlb-only daemon flags (docs/serve.md "Daemon"); defaults keep marathon-lb's paths and bytes. */
export interface DaemonFlags {
  readonly haproxyBin: string
  /** Folder of `socket` (stats), `master.sock` and `haproxy.pid`. */
  readonly haproxyRunDir: string
  /** `server-state-base`, with its trailing `/`. */
  readonly haproxyStateDir: string
  readonly httpBind: string
  readonly httpsBind: string
  readonly appIdBind: string
  readonly statsBind: string
  readonly haproxyMaxconn: number
  /** `--haproxy-global` lines, in order. */
  readonly haproxyGlobal: readonly string[]
  readonly hardStopAfterSeconds: number
  /** 0: no metrics server. */
  readonly metricsPort: number
  readonly pidFile: string
  /** `--container` or env MLB_CONTAINER: marathon-lb's run script set-up first. */
  readonly container: boolean
  /** Server-only changes through the runtime API, without a reload (off with `--no-runtime-api`). */
  readonly runtimeApi: boolean
}

/** Everything `mlb serve` was asked to do, typed and validated. */
export interface ServeOptions {
  readonly generate: GenerateOptions
  readonly marathonUrls: readonly string[]
  readonly haproxyConfig: string
  /** `--command`: external reload command (split shell-style by the daemon). */
  readonly command: string | undefined
  readonly maxReloadRetries: number
  readonly reloadIntervalSeconds: number
  readonly watch: WatchMode
  readonly archiveVersions: number
  readonly lruCacheCapacity: number
  readonly skipValidation: boolean
  readonly skipConfigCleanup: boolean
  readonly dry: boolean
  readonly maxBackoffSeconds: number
  readonly syslogSocket: string
  /** `json` or a Python logging format string. */
  readonly logFormat: string
  readonly logLevel: LogLevel
  readonly auth: AuthFlags
  readonly caCertPath: string | undefined
  readonly daemon: DaemonFlags
}

/** Default poll interval of marathon-lb's container `poll` mode (spec §2.1 step 9). */
export const DEFAULT_POLL_INTERVAL = 60

type Env = Readonly<Record<string, string | undefined>>

class Values {
  constructor(private readonly parsed: ParsedArgs) {}
  raw(name: string): FlagValue | undefined {
    return this.parsed.values.get(name)
  }
  has(name: string): boolean {
    return this.parsed.values.has(name)
  }
  bool(name: string): boolean {
    return this.raw(name) === true
  }
  str(name: string): string | undefined {
    const v = this.raw(name)
    return typeof v === 'string' ? v : undefined
  }
  int(name: string, dflt: number): number {
    const v = this.raw(name)
    return typeof v === 'number' ? v : dflt
  }
  list(name: string): readonly string[] {
    const v = this.raw(name)
    return Array.isArray(v) ? (v as readonly string[]) : []
  }
}

/** Non-empty environment value, or undefined. */
function envValue(env: Env, name: string): string | undefined {
  const v = env[name]
  return v === undefined || v === '' ? undefined : v
}

/** Python's `os.path.dirname` (no `.` for a bare file name), plus the trailing `/` GenerateOptions wants. */
export function haproxyDirOf(configPath: string): string {
  let head = configPath.slice(0, configPath.lastIndexOf('/') + 1)
  if (head !== '' && !/^\/+$/.test(head)) head = head.replace(/\/+$/, '')
  return head.endsWith('/') ? head : `${head}/`
}

/** The leading `sse`/`poll` mode argument of marathon-lb's container (spec §2.1 step 9). */
function modeArgument(parsed: ParsedArgs): 'sse' | 'poll' | undefined {
  const [first, ...rest] = parsed.positionals
  const mode = first !== undefined && first.index === 0 && (first.value === 'sse' || first.value === 'poll') ? first.value : undefined
  const extras = mode === undefined ? parsed.positionals : rest
  if (extras.length > 0) throw new UsageError(`unrecognized arguments: ${extras.map((p) => p.value).join(' ')}`)
  return mode
}

function pollInterval(v: Values, env: Env): number | undefined {
  if (v.has('poll-interval')) return v.int('poll-interval', DEFAULT_POLL_INTERVAL)
  const fromEnv = envValue(env, 'POLL_INTERVAL')
  if (fromEnv === undefined) return undefined
  const n = parsePythonInt(fromEnv)
  if (n === undefined) throw new UsageError(`environment variable POLL_INTERVAL: invalid int value: '${fromEnv}'`)
  return n
}

function watchMode(v: Values, env: Env, mode: 'sse' | 'poll' | undefined): WatchMode {
  const sse = v.bool('sse') || mode === 'sse'
  const interval = pollInterval(v, env)
  if (sse && v.has('poll-interval')) throw new UsageError('argument --poll-interval: not allowed with argument --sse/-s')
  if (!sse && (mode === 'poll' || interval !== undefined)) {
    const seconds = interval ?? DEFAULT_POLL_INTERVAL
    if (seconds <= 0) throw new UsageError('argument --poll-interval: must be a positive number of seconds')
    return {kind: 'poll', intervalSeconds: seconds}
  }
  return {kind: 'events'}
}

/** marathon-lb's post-parse checks, in its order (spec §1.1). */
function validatePorts(min: number, max: number): void {
  if ((min === 0) !== (max === 0)) {
    throw new UsageError(
      'either specify both --min-serv-port-ip-per-task and --max-serv-port-ip-per-task or neither (set both to zero to disable auto assignment)',
    )
  }
  if (min > max) throw new UsageError('cannot set --min-serv-port-ip-per-task to a higher value than --max-serv-port-ip-per-task')
}

function marathonUrls(v: Values): readonly string[] {
  // Each value may itself hold several URLs separated by white space (one quoted -m argument).
  const given = v.has('marathon') ? v.list('marathon').flatMap((s) => s.split(/\s+/)).filter((s) => s !== '') : [DEFAULT_MARATHON]
  const marathon = SERVE_FLAGS.find((f) => f.name === 'marathon')!
  if (given.length === 0) throw new UsageError(`argument ${flagDisplayName(marathon)} is required`)
  return given
}

/**
 * `user:pass` from MARATHON_USER + MARATHON_PASSWORD (spec §2.1 step 11: the container's default
 * --auth-credentials; an explicit flag still wins, step 12). Only one of them set is a usage error:
 * a forgotten variable would otherwise mean silently unauthenticated requests. Not when a
 * credential flag makes them irrelevant, nor in container mode, whose set-up warns and ignores
 * them as run did (src/serve/container.ts).
 */
function envCredentials(v: Values, env: Env, container: boolean): string | undefined {
  const user = envValue(env, 'MARATHON_USER')
  const password = envValue(env, 'MARATHON_PASSWORD')
  if (user !== undefined && password !== undefined) return `${user}:${password}`
  if (user === undefined && password === undefined) return undefined
  if (container || v.has('auth-credentials') || v.has('marathon-auth-credential-file')) return undefined
  const [set, missing] = user === undefined ? ['MARATHON_PASSWORD', 'MARATHON_USER'] : ['MARATHON_USER', 'MARATHON_PASSWORD']
  // Names only: the value of the variable that is set is a secret.
  throw new UsageError(`environment variable ${missing} is not set (or empty) but ${set} is: set both for --auth-credentials, or neither`)
}

function authFlags(v: Values, env: Env, container: boolean): AuthFlags {
  return {
    credentialFile: v.str('marathon-auth-credential-file'),
    credentials: v.str('auth-credentials') ?? envCredentials(v, env, container),
    dcosCredentials: v.has('dcos-auth-credentials') ? v.str('dcos-auth-credentials') : envValue(env, 'DCOS_SERVICE_ACCOUNT_CREDENTIAL'),
  }
}

/** True when env MLB_CONTAINER asks for the container set-up (set and not `0`/`false`). */
export function containerFromEnv(env: Env): boolean {
  const v = envValue(env, 'MLB_CONTAINER')
  return v !== undefined && v !== '0' && v.toLowerCase() !== 'false'
}

function daemonFlags(v: Values, env: Env): DaemonFlags {
  const stateDir = v.str('haproxy-state-dir') ?? '/var/state/haproxy/'
  const nonNegative = (name: string, dflt: number): number => {
    const n = v.int(name, dflt)
    if (n < 0) throw new UsageError(`argument --${name}: must not be negative`)
    return n
  }
  return {
    haproxyBin: v.str('haproxy-bin') ?? 'haproxy',
    haproxyRunDir: (v.str('haproxy-run-dir') ?? '/var/run/haproxy').replace(/(.)\/+$/, '$1'),
    haproxyStateDir: stateDir.endsWith('/') ? stateDir : `${stateDir}/`,
    httpBind: v.str('http-bind') ?? '*:80',
    httpsBind: v.str('https-bind') ?? '*:443',
    appIdBind: v.str('appid-bind') ?? '*:9091',
    statsBind: v.str('stats-bind') ?? '0.0.0.0:9090',
    haproxyMaxconn: nonNegative('haproxy-maxconn', 50000),
    haproxyGlobal: v.list('haproxy-global'),
    hardStopAfterSeconds: nonNegative('hard-stop-after', 300),
    metricsPort: nonNegative('metrics-port', DEFAULT_METRICS_PORT),
    pidFile: v.str('pid-file') ?? DEFAULT_PID_FILE,
    container: v.bool('container') || containerFromEnv(env),
    runtimeApi: !v.bool('no-runtime-api'),
  }
}

/**
 * Builds {@link ServeOptions} from parsed flags and the environment. Throws UsageError (exit 2)
 * with marathon-lb's messages, or MlbError `Invalid log level: X` (exit 1, spec §1.2).
 */
export function serveOptionsFrom(parsed: ParsedArgs, env: Env): ServeOptions {
  const v = new Values(parsed)
  const mode = modeArgument(parsed)
  const urls = marathonUrls(v)
  const min = v.int('min-serv-port-ip-per-task', 10050)
  const max = v.int('max-serv-port-ip-per-task', 10100)
  validatePorts(min, max)
  const groups = v.list('group')
  if (groups.length === 0) throw new UsageError('argument --group is required: pleasespecify at least one group name')
  const watch = watchMode(v, env, mode)
  const levelText = v.str('log-level') ?? 'DEBUG'
  const logLevel = parseLogLevel(levelText)
  if (logLevel === undefined) throw new MlbError(`Invalid log level: ${levelText.toUpperCase()}`, {code: 'MLB_ERR_LOG_LEVEL', exit: 1})
  const daemon = daemonFlags(v, env)
  const haproxyConfig = v.str('haproxy-config') ?? DEFAULT_HAPROXY_CONFIG
  const sslCerts = v.str('ssl-certs') || DEFAULT_SSL_CERT // spec §1.1: an empty value means the default
  return {
    generate: {
      groups,
      strictMode: v.bool('strict-mode'),
      healthCheck: v.bool('health-check'),
      haproxyMap: v.bool('haproxy-map'),
      dontBindHttpHttps: v.bool('dont-bind-http-https'),
      groupHttpsByVhost: v.bool('group-https-by-vhost'),
      sslCerts: sslCerts.split(','),
      haproxyDir: haproxyDirOf(haproxyConfig),
      servicePortRange: min !== 0 && max !== 0 ? {min, max} : undefined,
      frameworkName: envValue(env, 'FRAMEWORK_NAME'),
    },
    marathonUrls: urls,
    haproxyConfig,
    command: v.str('command'),
    maxReloadRetries: v.int('max-reload-retries', 10),
    reloadIntervalSeconds: v.int('reload-interval', 10),
    watch,
    archiveVersions: v.int('archive-versions', 5),
    lruCacheCapacity: v.int('lru-cache-capacity', 1000),
    skipValidation: v.bool('skip-validation'),
    skipConfigCleanup: v.bool('skip-config-cleanup'),
    dry: v.bool('dry'),
    maxBackoffSeconds: v.int('max-backoff', 300),
    syslogSocket: v.str('syslog-socket') ?? envValue(env, 'SYSLOG_SOCKET') ?? DEFAULT_SYSLOG_SOCKET,
    logFormat: v.str('log-format') ?? DEFAULT_LOG_FORMAT,
    logLevel,
    auth: authFlags(v, env, daemon.container),
    caCertPath: v.str('marathon-ca-cert'),
    daemon,
  }
}
