/**
 * Marathon credentials from Vault (spec §2.1 step 10). marathon-lb's run checked VAULT_TOKEN,
 * VAULT_HOST, VAULT_PORT and VAULT_PATH but fetched an unset `$VAULT_URL` and parsed the answer
 * with Python 2 syntax, so it never worked (quirk §10.33). mlb builds the URL from those variables
 * (or takes `VAULT_URL` when given), reads `data.user`/`data.pass` (also KV v2's
 * `data.data.user`/`data.data.pass`) with one undici GET, and never logs or passes on the token.
 */
import {readFile} from 'node:fs/promises'

import {Agent, request} from 'undici'

import {errorMessage, MlbError} from '../errors.js'
import type {ContainerCredentials, ContainerNote, Env} from './container.js'

/** A Vault read to perform. `token` is secret. */
export interface VaultRequest {
  readonly url: string
  readonly token: string
  /** `VAULT_CACERT`: CA bundle to verify Vault's certificate. */
  readonly caFile: string | undefined
  /** `VAULT_SKIP_VERIFY`: no TLS verification, as marathon-lb's `curl -k` did. */
  readonly skipVerify: boolean
}

const vaultError = (msg: string, cause?: unknown): MlbError => new MlbError(msg, {code: 'MLB_ERR_VAULT', exit: 1, cause})
const nonEmpty = (env: Env, name: string): string | undefined => (env[name] === '' ? undefined : env[name])

/** The Vault URL from `VAULT_URL`, or `VAULT_HOST` (scheme optional, https by default), `VAULT_PORT` and `VAULT_PATH`. */
export function vaultUrl(env: Env): string | undefined {
  const explicit = nonEmpty(env, 'VAULT_URL')
  const host = nonEmpty(env, 'VAULT_HOST')
  const port = nonEmpty(env, 'VAULT_PORT')
  const path = nonEmpty(env, 'VAULT_PATH')
  let url: string
  if (explicit !== undefined) {
    url = explicit
  } else {
    const missing = [['VAULT_HOST', host], ['VAULT_PORT', port], ['VAULT_PATH', path]].filter(([, v]) => v === undefined).map(([k]) => k)
    if (missing.length === 3) return undefined
    if (missing.length > 0) throw vaultError(`VAULT_TOKEN is set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not (or set VAULT_URL)`)
    if (!/^\d{1,5}$/.test(port!)) throw vaultError(`VAULT_PORT must be a port number, got ${JSON.stringify(port)}`)
    const base = /^https?:\/\//i.test(host!) ? host!.replace(/\/+$/, '') : `https://${host!}`
    url = `${base}:${port!}${path!.startsWith('/') ? '' : '/'}${path!}`
  }
  try {
    return new URL(url).toString()
  } catch (err) {
    throw vaultError(`invalid Vault URL ${JSON.stringify(url)}`, err)
  }
}

/** The Vault read the environment asks for, if any (pure). */
export function planVault(env: Env, notes: ContainerNote[]): VaultRequest | undefined {
  const token = nonEmpty(env, 'VAULT_TOKEN')
  if (token === undefined) {
    if (['VAULT_URL', 'VAULT_HOST', 'VAULT_PORT', 'VAULT_PATH'].some((k) => nonEmpty(env, k) !== undefined)) {
      notes.push({level: 'warn', msg: 'Vault variables are set but VAULT_TOKEN is not; Vault is not read'})
    }
    return undefined
  }
  const url = vaultUrl(env)
  if (url === undefined) throw vaultError('VAULT_TOKEN is set but VAULT_HOST, VAULT_PORT and VAULT_PATH are not (or set VAULT_URL)')
  const skip = (nonEmpty(env, 'VAULT_SKIP_VERIFY') ?? '').toLowerCase()
  return {url, token, caFile: nonEmpty(env, 'VAULT_CACERT'), skipVerify: skip === '1' || skip === 'true'}
}

/** `user`/`pass` of a Vault KV answer (v1: `data.*`, v2: `data.data.*`). */
export function vaultCredentials(body: unknown): {user: string; pass: string} | undefined {
  const pick = (o: unknown): {user: string; pass: string} | undefined => {
    if (typeof o !== 'object' || o === null) return undefined
    const {user, pass} = o as {user?: unknown; pass?: unknown}
    return typeof user === 'string' && typeof pass === 'string' ? {user, pass} : undefined
  }
  const data = (body as {data?: unknown} | null)?.data
  return pick(data) ?? pick((data as {data?: unknown} | undefined)?.data)
}

/** Options of {@link fetchVaultCredentials}. */
export interface VaultFetchOptions {
  /** Bound on connect, headers and body, each (default 10 s). */
  readonly timeoutMs?: number
  readonly maxRedirects?: number
}

/**
 * Reads the credentials from Vault. Redirects (a standby node points at the active one) are
 * followed like `curl -L`, at most `maxRedirects`, never from https down to http.
 */
export async function fetchVaultCredentials(req: VaultRequest, opts: VaultFetchOptions = {}): Promise<ContainerCredentials> {
  const timeout = opts.timeoutMs ?? 10_000
  const ca = req.caFile === undefined ? undefined : await readFile(req.caFile).catch((err: unknown) => {
    throw vaultError(`cannot read VAULT_CACERT ${req.caFile}: ${errorMessage(err)}`, err)
  })
  const agent = new Agent({connect: {timeout, rejectUnauthorized: !req.skipVerify, ...(ca === undefined ? {} : {ca})}, headersTimeout: timeout, bodyTimeout: timeout})
  try {
    let url = req.url
    for (let hop = 0; ; hop++) {
      const res = await request(url, {method: 'GET', headers: {'x-vault-token': req.token}, dispatcher: agent}).catch((err: unknown) => {
        throw vaultError(`cannot reach Vault at ${url}: ${errorMessage(err)}`, err)
      })
      const location = res.headers['location']
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string') {
        await res.body.dump()
        const next = new URL(location, url)
        if (hop >= (opts.maxRedirects ?? 3)) throw vaultError(`too many redirects from Vault at ${req.url}`)
        if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') throw vaultError(`Vault redirected from https to ${next.protocol} (${next.origin}); refusing to send the token`)
        url = next.toString()
        continue
      }
      if (res.statusCode !== 200) {
        await res.body.dump()
        throw vaultError(`Vault answered HTTP ${res.statusCode} for ${url}`)
      }
      const body: unknown = await res.body.json().catch((err: unknown) => {
        throw vaultError(`Vault answered with invalid JSON for ${url}`, err)
      })
      const creds = vaultCredentials(body)
      if (creds === undefined) throw vaultError(`the Vault secret at ${url} has no string data.user and data.pass`)
      if (creds.user.includes(':')) throw vaultError('the Vault user name must not contain ":"')
      return {user: creds.user, password: creds.pass, source: 'vault'}
    }
  } finally {
    await agent.close()
  }
}
