/**
 * Authentication (marathon-api §8): HTTP Basic on every path with Jetty's 401, and DC/OS ACS
 * tokens (`POST /acs/api/v1/auth/login` sets `dcos-acs-auth-cookie`; requests carry
 * `Authorization: token=<value>`) with the `secured` trait's 401/403 JSON bodies.
 */
import {randomBytes} from 'node:crypto'

import type {Reply, Req} from './http-types.js'
import {jsonReply} from './http-types.js'

/** Auth settings; both kinds may be enabled at once. */
export interface AuthOptions {
  /** `--http_credentials user:password`. */
  readonly basic?: {readonly user: string; readonly password: string}
  /** `--http_realm` (default `Mesosphere`). */
  readonly realm?: string
  /** DC/OS: service accounts allowed to log in; `forbiddenUids` log in but get 403 on Marathon. */
  readonly dcos?: {readonly uids: readonly string[]; readonly forbiddenUids?: readonly string[]; readonly password?: string}
}

/** The DC/OS login path. */
export const LOGIN_PATH = '/acs/api/v1/auth/login'

function jettyError(status: number, reason: string, path: string): string {
  return `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n<title>Error ${status} ${reason}</title>\n</head>\n<body><h2>HTTP ERROR ${status}</h2>\n<p>Problem accessing ${path}. Reason:\n<pre>    ${reason}</pre></p>\n</body>\n</html>\n`
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url')
}

/** Checks credentials and issues DC/OS tokens. */
export class Auth {
  private readonly tokens = new Map<string, string>()

  constructor(private readonly opts: AuthOptions, private readonly now: () => number) {}

  /** True when any authentication is on. */
  get enabled(): boolean {
    return this.opts.basic !== undefined || this.opts.dcos !== undefined
  }

  /** True when DC/OS login is served. */
  get dcos(): boolean {
    return this.opts.dcos !== undefined
  }

  /** undefined when the request may proceed, else the 401/403 reply. */
  check(req: Req, rawPath: string): Reply | undefined {
    if (!this.enabled) return undefined
    const header = String(req.headers['authorization'] ?? '')
    const basic = this.opts.basic
    if (basic !== undefined && header.toLowerCase().startsWith('basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8').split(':')
      if (user === basic.user && rest.join(':') === basic.password) return undefined
    }
    if (this.opts.dcos !== undefined && header.startsWith('token=')) {
      const uid = this.tokens.get(header.slice('token='.length))
      if (uid !== undefined) {
        return this.opts.dcos.forbiddenUids?.includes(uid) === true ? jsonReply(403, {message: 'Not Authorized to perform this action!'}) : undefined
      }
    }
    if (basic !== undefined) {
      const realm = this.opts.realm ?? 'Mesosphere'
      return {status: 401, text: jettyError(401, 'Unauthorized', rawPath), contentType: 'text/html;charset=iso-8859-1', headers: {'WWW-Authenticate': `basic realm="${realm}"`}}
    }
    return jsonReply(401, {message: 'Invalid username or password.'})
  }

  /** `POST /acs/api/v1/auth/login` with `{uid, token}` (service account) or `{uid, password}`. */
  login(body: unknown): Reply {
    const o = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}
    const uid = typeof o['uid'] === 'string' ? o['uid'] : ''
    const dcos = this.opts.dcos
    const known = dcos !== undefined && (dcos.uids.includes(uid) || dcos.forbiddenUids?.includes(uid) === true)
    const proof = typeof o['token'] === 'string' ? o['token'] !== '' : typeof o['password'] === 'string' && (dcos?.password === undefined || o['password'] === dcos.password)
    if (!known || !proof) {
      return jsonReply(401, {title: 'Invalid credentials', description: 'The login credentials were not accepted.', code: 'ERR_INVALID_CREDENTIALS'})
    }
    const exp = Math.floor(this.now() / 1000) + 432000
    const token = `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(JSON.stringify({uid, exp}))}.${randomBytes(16).toString('base64url')}`
    this.tokens.set(token, uid)
    return jsonReply(200, {token}, {'Set-Cookie': `dcos-acs-auth-cookie=${token}; Path=/; HttpOnly`})
  }
}
