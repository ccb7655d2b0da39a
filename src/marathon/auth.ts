/**
 * Marathon authentication exactly as marathon-lb's common.py (spec §1.2, marathon-api §8):
 * HTTP Basic from `--marathon-auth-credential-file` or `--auth-credentials`, or the DC/OS
 * service-account login (RS256 login JWT → `dcos-acs-auth-cookie` → `Authorization: token=…`).
 * Credentials never appear in messages: errors name the flag or the login endpoint only.
 */
import {createPrivateKey, sign, type KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'

import type {Dispatcher} from 'undici'

import {systemClock, type Clock} from '../clock.js'
import {AuthError, errorMessage} from '../errors.js'
import type {Logger} from '../log.js'
import {redactUrl} from '../redact.js'
import type {WithoutCaCert} from './agent.js'
import {serverMessage} from './server-message.js'

/** Supplies the `Authorization` header for Marathon requests. */
export interface MarathonAuth {
  /** Header value for the next request; logs in or refreshes first when needed. */
  header(): Promise<string | undefined>
  /** Strings that must be scrubbed from anything shown to a user. */
  secrets(): readonly string[]
  /** Forget the current token (after a 401), so the next {@link header} logs in again. */
  invalidate(): void
  close(): Promise<void>
}

/** The credential flags of `mlb serve` and `mlb zdd` (spec §1.2). */
export interface AuthFlagValues {
  readonly credentialFile: string | undefined
  readonly credentials: string | undefined
  readonly dcosCredentials: string | undefined
}

/** Edges that {@link authFromFlags} needs; all optional. */
export interface AuthDeps {
  readonly readFile?: (path: string) => string
  readonly caCertPath?: string | undefined
  /** The login's certificate without `caCertPath` (see agent.ts). */
  readonly withoutCaCert?: WithoutCaCert | undefined
  readonly clock?: Clock
  readonly logger?: Logger
  /** HTTP dispatcher for the DC/OS login (default: one with marathon-lb's timeouts and TLS rules). */
  readonly dispatcher?: Dispatcher
}

/** marathon-lb's message for a `user:pass` value that does not split into exactly two parts. */
export const CREDENTIALS_FORMAT_MESSAGE = 'Please provide marathon credentials in user:pass format'

/** HTTP Basic auth with a fixed user and password. */
export class BasicAuth implements MarathonAuth {
  private readonly value: string
  private readonly password: string

  constructor(user: string, password: string) {
    this.password = password
    this.value = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`
  }

  /** Parses marathon-lb's `user:pass` (split on every `:`, exactly two parts, spec §1.2). */
  static fromPair(pair: string): BasicAuth {
    const parts = pair.split(':')
    if (parts.length !== 2) throw new AuthError(CREDENTIALS_FORMAT_MESSAGE)
    return new BasicAuth(parts[0]!, parts[1]!)
  }

  header(): Promise<string | undefined> {
    return Promise.resolve(this.value)
  }
  secrets(): readonly string[] {
    return [this.password, this.value.slice('Basic '.length)]
  }
  invalidate(): void {}
  close(): Promise<void> {
    return Promise.resolve()
  }
}

/** A DC/OS service-account secret (`{"uid", "private_key", "login_endpoint", "scheme"?}`). */
export interface DcosCredentials {
  readonly uid: string
  readonly privateKey: KeyObject
  readonly loginEndpoint: string
}

/** Parses the service-account JSON; the message never echoes the value. */
export function parseDcosCredentials(json: string): DcosCredentials {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    throw new AuthError('--dcos-auth-credentials (DCOS_SERVICE_ACCOUNT_CREDENTIAL) is not valid JSON')
  }
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  for (const field of ['uid', 'private_key', 'login_endpoint']) {
    if (typeof obj[field] !== 'string' || obj[field] === '') {
      throw new AuthError(`DC/OS service-account credentials lack the string field "${field}"`)
    }
  }
  if (obj['scheme'] !== undefined && obj['scheme'] !== null && obj['scheme'] !== 'RS256') {
    throw new AuthError(`DC/OS service-account credentials: unsupported scheme ${JSON.stringify(obj['scheme'])} (only RS256)`)
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(obj['private_key'] as string)
  } catch {
    throw new AuthError('DC/OS service-account credentials: private_key is not a valid PEM private key')
  }
  return {uid: obj['uid'] as string, privateKey, loginEndpoint: obj['login_endpoint'] as string}
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** An RS256-signed JWT with `claims` (what PyJWT's `jwt.encode(claims, key, 'RS256')` produces). */
export function signRs256Jwt(claims: Readonly<Record<string, unknown>>, key: KeyObject): string {
  const input = `${base64url(JSON.stringify({alg: 'RS256', typ: 'JWT'}))}.${base64url(JSON.stringify(claims))}`
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`
}

/** Value of cookie `name` in a response's `set-cookie` header(s). */
export function cookieValue(setCookie: string | readonly string[] | undefined, name: string): string | undefined {
  const headers = setCookie === undefined ? [] : typeof setCookie === 'string' ? [setCookie] : setCookie
  for (const h of headers) {
    const first = h.split(';')[0] ?? ''
    const eq = first.indexOf('=')
    if (eq !== -1 && first.slice(0, eq).trim() === name) return first.slice(eq + 1).trim()
  }
  return undefined
}

/** How long a DC/OS login is used before the next one (spec §1.2: expiry = now + 3600 s). */
const TOKEN_LIFETIME_S = 3600
/** Refresh this long before expiry (spec §1.2). */
const REFRESH_MARGIN_S = 10
/** Lifetime of the login JWT itself. */
const LOGIN_JWT_LIFETIME_S = 60

/** The DC/OS service-account login flow of marathon-lb's `DCOSAuth` (spec §1.2). */
export class DcosAuth implements MarathonAuth {
  private token: string | undefined
  private expiry = 0
  private inflight: Promise<string> | undefined

  constructor(
    private readonly creds: DcosCredentials,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock = systemClock,
    private readonly ownsDispatcher = false,
  ) {}

  async header(): Promise<string | undefined> {
    const now = Math.floor(this.clock.now() / 1000)
    if (this.token !== undefined && now < this.expiry - REFRESH_MARGIN_S) return `token=${this.token}`
    this.inflight ??= this.login(now).finally(() => {
      this.inflight = undefined
    })
    return `token=${await this.inflight}`
  }

  private async login(now: number): Promise<string> {
    const {request} = (await import('./undici-core.js')).undiciCore()
    const endpoint = redactUrl(this.creds.loginEndpoint)
    const jwt = signRs256Jwt({uid: this.creds.uid, exp: now + LOGIN_JWT_LIFETIME_S}, this.creds.privateKey)
    const expiry = now + TOKEN_LIFETIME_S
    let res: Dispatcher.ResponseData
    try {
      res = await request(this.creds.loginEndpoint, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {'content-type': 'application/json', accept: 'application/json'},
        body: JSON.stringify({uid: this.creds.uid, token: jwt, exp: expiry}),
      })
    } catch (err) {
      throw new AuthError(`DC/OS login at ${endpoint} failed: ${errorMessage(err)}`, {cause: err})
    }
    const text = await res.body.text()
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new AuthError(`DC/OS login at ${endpoint} failed: HTTP ${res.statusCode}${serverMessage(parseJsonObject(text))}`)
    }
    const token = cookieValue(res.headers['set-cookie'], 'dcos-acs-auth-cookie') ?? bodyToken(text)
    if (token === undefined) throw new AuthError(`DC/OS login at ${endpoint} returned no dcos-acs-auth-cookie`)
    this.token = token
    this.expiry = expiry
    return token
  }

  secrets(): readonly string[] {
    return this.token === undefined ? [] : [this.token]
  }
  invalidate(): void {
    this.token = undefined
  }
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close()
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}


// The real IAM answers with the token in the body too (marathon-api §8.2); used only without the cookie.
function bodyToken(text: string): string | undefined {
  const t = parseJsonObject(text)?.['token']
  return typeof t === 'string' && t !== '' ? t : undefined
}

function readFirstLine(path: string, readFile: (p: string) => string): string {
  let text: string
  try {
    text = readFile(path)
  } catch (err) {
    const code = (err as {code?: string}).code ?? 'unreadable'
    throw new AuthError(`cannot read --marathon-auth-credential-file ${path}: ${code}`, {cause: err})
  }
  return (text.split('\n')[0] ?? '').replace(/[\r\n]+$/, '')
}

/**
 * The {@link MarathonAuth} the credential flags ask for, with marathon-lb's precedence:
 * credential file > `--auth-credentials` > DC/OS (spec §1.2). A credential file whose first line
 * is empty means "no auth" (no fallback). Returns undefined without credentials.
 */
export async function authFromFlags(flags: AuthFlagValues, deps: AuthDeps = {}): Promise<MarathonAuth | undefined> {
  const readFile = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'))
  if (flags.credentialFile !== undefined && flags.credentialFile !== '') {
    const line = readFirstLine(flags.credentialFile, readFile)
    return line === '' ? undefined : BasicAuth.fromPair(line)
  }
  if (flags.credentials !== undefined && flags.credentials !== '') return BasicAuth.fromPair(flags.credentials)
  if (flags.dcosCredentials === undefined || flags.dcosCredentials === '') return undefined
  const creds = parseDcosCredentials(flags.dcosCredentials)
  if (deps.dispatcher !== undefined) return new DcosAuth(creds, deps.dispatcher, deps.clock)
  const {createMarathonAgent} = await import('./agent.js')
  const agent = createMarathonAgent({caCertPath: deps.caCertPath, withoutCaCert: deps.withoutCaCert, logger: deps.logger, urls: [creds.loginEndpoint]})
  return new DcosAuth(creds, agent, deps.clock, true)
}
