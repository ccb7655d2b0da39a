/**
 * Container start-up (marathon-lb's `/marathon-lb/run`, spec §2.1) as a pure plan: from the
 * environment and the raw `mlb serve` arguments, decide which certificate files to write, whether
 * to generate a self-signed certificate, what to copy, which `sysctl -w` to run, which credentials
 * to use and which flags `mlb serve` then parses. {@link applyContainerSetup} (container-apply.ts)
 * performs it. The plan holds secrets (certificate bytes, passwords, the Vault token): log it only
 * through {@link describeContainerPlan}.
 */
import {join} from 'node:path'

import {MlbError, UsageError} from '../errors.js'
import {echoE} from './container-echo.js'
import {planVault, type VaultRequest} from './container-vault.js'

/** `sse` (event stream) or `poll` (regenerate every `intervalSeconds`), run's first argument. */
export type ContainerMode = {readonly kind: 'sse'} | {readonly kind: 'poll'; readonly intervalSeconds: number}

/** Where the container writes; marathon-lb's paths by default, overridable for tests. */
export interface ContainerPaths {
  /** Folder of `cert.pem` and `cert<i>.pem` (marathon-lb: `/etc/ssl`). */
  readonly certDir: string
  /** Destination of `$MESOS_SANDBOX/templates` (marathon-lb: `templates` under the working dir). */
  readonly templatesDir: string
  /** The `--haproxy-config` the container passes (marathon-lb: `/marathon-lb/haproxy.cfg`). */
  readonly haproxyConfig: string
}

/** marathon-lb's container paths (spec §2.1); `templatesDir` is relative to the working dir. */
export const DEFAULT_CONTAINER_PATHS: ContainerPaths = {
  certDir: '/etc/ssl',
  templatesDir: 'templates',
  haproxyConfig: '/marathon-lb/haproxy.cfg',
}

/** Marathon basic-auth credentials found in the environment; acts as a default `--auth-credentials`. */
export interface ContainerCredentials {
  readonly user: string
  /** Secret: never log it, never put it on a command line. */
  readonly password: string
  readonly source: 'MARATHON_USER' | 'vault'
}

/** One certificate file to write (mode 0600). `content` is secret (it holds the private key). */
export interface CertWrite {
  readonly path: string
  /** The environment variable it comes from, for log lines. */
  readonly source: string
  readonly content: Buffer
}

/** A message about the environment for the log (ignored or partly set variables). */
export interface ContainerNote {
  readonly level: 'info' | 'warn'
  readonly msg: string
}

/** Everything the container start-up will do, decided without touching the system. */
export interface ContainerPlan {
  readonly mode: ContainerMode
  /** The user's arguments after the mode, with `--ssl-certs` taken out. */
  readonly userArgs: readonly string[]
  /** Final `--ssl-certs` value, in marathon-lb's order. */
  readonly sslCerts: string
  readonly certWrites: readonly CertWrite[]
  /** Path of the self-signed certificate to generate, when no certificate was given at all. */
  readonly selfSigned: string | undefined
  readonly templates: {readonly from: string; readonly to: string} | undefined
  readonly sysctl: {readonly args: readonly string[]; readonly strict: boolean} | undefined
  /** `--syslog-socket` to add (`SYSLOG_SOCKET`, default `/dev/null`); undefined when the user gave one. */
  readonly syslogSocket: string | undefined
  /** `--haproxy-config` to add; undefined when the user gave one. */
  readonly haproxyConfig: string | undefined
  /** `MARATHON_USER`/`MARATHON_PASSWORD`; beats Vault as in run (its flag came last). */
  readonly auth: ContainerCredentials | undefined
  /** Vault read to perform when `auth` is not already set from the environment. */
  readonly vault: VaultRequest | undefined
  /** `HAPROXY_SYSLOGD`: relay syslog (HAProxy's logs) to stdout. */
  readonly syslogd: boolean
  readonly notes: readonly ContainerNote[]
}

/** Environment as a plain record (e.g. `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>

const SYNOPSIS = 'mlb serve poll|sse [mlb serve args]'
/** marathon-lb's `run` loops over `HAPROXY_SSL_CERT0` … `HAPROXY_SSL_CERT100`. */
const MAX_CERT_INDEX = 100

const nonEmpty = (env: Env, name: string): string | undefined => {
  const v = env[name]
  return v === undefined || v === '' ? undefined : v
}

/** True when `args` holds `--name`, `--name=…` or one of the given short aliases. */
export function hasFlag(args: readonly string[], name: string, aliases: readonly string[] = []): boolean {
  return args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || aliases.includes(a))
}

/**
 * Takes every `--ssl-certs` out of `args` (spec §2.1 step 5). Unlike run, `--ssl-certs=value` is
 * recognised too (quirk §10.34 fixed); when given more than once the last wins, as argparse
 * would have done with the copies run left behind.
 */
export function extractSslCerts(args: readonly string[]): {rest: string[]; value: string | undefined} {
  const rest: string[] = []
  let value: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--ssl-certs') {
      const v = args[i + 1]
      if (v === undefined) throw new UsageError('argument --ssl-certs: expected one argument')
      value = v
      i++
    } else if (a.startsWith('--ssl-certs=')) {
      value = a.slice('--ssl-certs='.length)
    } else {
      rest.push(a)
    }
  }
  return {rest, value}
}

/** Parses run's mode argument and `POLL_INTERVAL` (spec §2.1 step 9). */
export function parseMode(mode: string | undefined, env: Env): ContainerMode {
  if (mode === 'sse') return {kind: 'sse'}
  if (mode === 'poll') {
    const raw = nonEmpty(env, 'POLL_INTERVAL') ?? '60'
    const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN
    if (!(seconds > 0)) throw new MlbError(`POLL_INTERVAL must be a positive number of seconds, got ${JSON.stringify(raw)}`, {code: 'MLB_ERR_CONTAINER'})
    return {kind: 'poll', intervalSeconds: seconds}
  }
  if (mode === undefined) throw new MlbError(`Missing mode. Synopsis: ${SYNOPSIS}`, {code: 'MLB_ERR_CONTAINER'})
  throw new MlbError(`Unknown mode ${mode}. Synopsis: ${SYNOPSIS}`, {code: 'MLB_ERR_CONTAINER'})
}

/**
 * Certificates from `HAPROXY_SSL_CERT` and `HAPROXY_SSL_CERT0..100` and the resulting
 * `--ssl-certs` (spec §2.1 steps 5–6): user value, then `cert.pem`, then `cert<i>.pem` ascending.
 */
function planCerts(env: Env, userCerts: string | undefined, certDir: string, notes: ContainerNote[]): Pick<ContainerPlan, 'sslCerts' | 'certWrites' | 'selfSigned'> {
  const main = join(certDir, 'cert.pem')
  const first = nonEmpty(env, 'HAPROXY_SSL_CERT')
  const indexed: number[] = []
  for (let i = 0; i <= MAX_CERT_INDEX; i++) if (nonEmpty(env, `HAPROXY_SSL_CERT${i}`) !== undefined) indexed.push(i)
  if (first === undefined) {
    // As in run: the numbered variables are only read when HAPROXY_SSL_CERT is set.
    if (indexed.length > 0) notes.push({level: 'warn', msg: `HAPROXY_SSL_CERT${indexed[0]} and the other numbered certificates are ignored because HAPROXY_SSL_CERT is not set`})
    return userCerts === undefined
      ? {sslCerts: main, certWrites: [], selfSigned: main}
      : {sslCerts: userCerts, certWrites: [], selfSigned: undefined}
  }
  const writes: CertWrite[] = [{path: main, source: 'HAPROXY_SSL_CERT', content: echoE(first)}]
  for (const i of indexed) {
    writes.push({path: join(certDir, `cert${i}.pem`), source: `HAPROXY_SSL_CERT${i}`, content: echoE(env[`HAPROXY_SSL_CERT${i}`]!)})
  }
  const list = [...(userCerts === undefined ? [] : [userCerts]), ...writes.map((w) => w.path)]
  return {sslCerts: list.join(','), certWrites: writes, selfSigned: undefined}
}

/** `MARATHON_USER` and `MARATHON_PASSWORD`, both required (spec §2.1 step 11; quirk §10.35 fixed). */
function planAuth(env: Env, notes: ContainerNote[]): ContainerCredentials | undefined {
  const user = nonEmpty(env, 'MARATHON_USER')
  const password = nonEmpty(env, 'MARATHON_PASSWORD')
  if (user === undefined || password === undefined) {
    if (user !== undefined || password !== undefined) notes.push({level: 'warn', msg: 'MARATHON_USER and MARATHON_PASSWORD must both be set; ignoring them'})
    return undefined
  }
  // Basic auth cannot carry a ':' in the user name (RFC 7617); a password may hold anything.
  if (user.includes(':')) throw new MlbError('MARATHON_USER must not contain ":"', {code: 'MLB_ERR_AUTH'})
  return {user, password, source: 'MARATHON_USER'}
}

/**
 * Decides the container start-up from the environment and the raw arguments of `mlb serve`
 * (`sse|poll [serve flags…]`), following run's steps in order (spec §2.1). Pure: no I/O.
 */
export function planContainerSetup(env: Env, args: readonly string[], paths: ContainerPaths = DEFAULT_CONTAINER_PATHS): ContainerPlan {
  const notes: ContainerNote[] = []
  const {rest, value} = extractSslCerts(args)
  // An empty `--ssl-certs ""` means marathon-lb's default; treat it as not given so a
  // certificate still exists at that default path.
  const userCerts = value === '' ? undefined : value
  const [modeArg, ...userArgs] = rest
  const mode = parseMode(modeArg, env)
  if (env['PORTS'] !== undefined) notes.push({level: 'info', msg: 'PORTS is not needed: HAProxy binds the ports of the generated config (marathon-lb never used it either, spec §10.32)'})
  const sandbox = nonEmpty(env, 'MESOS_SANDBOX')
  const sysctlParams = nonEmpty(env, 'HAPROXY_SYSCTL_PARAMS')
  const auth = planAuth(env, notes)
  const vault = planVault(env, notes)
  if (auth !== undefined && vault !== undefined) notes.push({level: 'info', msg: 'MARATHON_USER/MARATHON_PASSWORD take precedence over the Vault credentials; Vault is not read'})
  return {
    mode,
    userArgs,
    ...planCerts(env, userCerts, paths.certDir, notes),
    templates: sandbox === undefined ? undefined : {from: join(sandbox, 'templates'), to: paths.templatesDir},
    // run word-splits the value unquoted; mlb splits on the same blanks but runs no shell.
    sysctl: sysctlParams === undefined ? undefined : {args: ['-w', ...sysctlParams.split(/[ \t\n]+/).filter((w) => w !== '')], strict: nonEmpty(env, 'HAPROXY_SYSCTL_NONSTRICT') === undefined},
    syslogSocket: hasFlag(userArgs, 'syslog-socket') ? undefined : (nonEmpty(env, 'SYSLOG_SOCKET') ?? '/dev/null'),
    haproxyConfig: hasFlag(userArgs, 'haproxy-config') ? undefined : paths.haproxyConfig,
    auth,
    vault: auth === undefined ? vault : undefined,
    syslogd: nonEmpty(env, 'HAPROXY_SYSLOGD') !== undefined,
    notes,
  }
}

/**
 * The argument list `mlb serve` parses after the container set-up: run's generated flags
 * (spec §2.1 step 14), then the user's (which win: a generated flag the user also gave is left
 * out, because oclif refuses a repeated flag where argparse took the last). Credentials are not
 * in it: pass {@link ContainerSetup.auth} to the Marathon client.
 */
export function containerServeArgv(plan: ContainerPlan): string[] {
  const argv: string[] = []
  if (plan.syslogSocket !== undefined) argv.push('--syslog-socket', plan.syslogSocket)
  if (plan.haproxyConfig !== undefined) argv.push('--haproxy-config', plan.haproxyConfig)
  argv.push('--ssl-certs', plan.sslCerts)
  if (plan.mode.kind === 'sse' && !hasFlag(plan.userArgs, 'sse', ['-s'])) argv.push('--sse')
  if (plan.mode.kind === 'poll' && !hasFlag(plan.userArgs, 'poll-interval')) argv.push('--poll-interval', String(plan.mode.intervalSeconds))
  return [...argv, ...plan.userArgs]
}

/** Log lines describing the plan, without any secret (certificate bytes, password, token). */
export function describeContainerPlan(plan: ContainerPlan): string[] {
  const lines = [`mode ${plan.mode.kind}${plan.mode.kind === 'poll' ? ` every ${plan.mode.intervalSeconds}s` : ''}`]
  for (const w of plan.certWrites) lines.push(`write ${w.source} to ${w.path}`)
  if (plan.selfSigned !== undefined) lines.push(`generate a self-signed certificate in ${plan.selfSigned}`)
  lines.push(`--ssl-certs ${plan.sslCerts}`)
  if (plan.templates !== undefined) lines.push(`copy templates from ${plan.templates.from} to ${plan.templates.to}`)
  if (plan.sysctl !== undefined) lines.push(`sysctl ${plan.sysctl.args.join(' ')}${plan.sysctl.strict ? '' : ' (failures ignored)'}`)
  if (plan.auth !== undefined) lines.push(`Marathon credentials for user ${plan.auth.user} from ${plan.auth.source}`)
  if (plan.vault !== undefined) lines.push(`Marathon credentials from Vault ${plan.vault.url}`)
  if (plan.syslogd) lines.push('syslog relay to stdout (HAPROXY_SYSLOGD)')
  return lines
}
