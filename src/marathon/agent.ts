/**
 * The undici dispatcher for Marathon and DC/OS login calls, with marathon-lb's timeouts
 * (connect 3.05 s, read 46 s; spec §6.1) and TLS rules: `--marathon-ca-cert` verifies against
 * that bundle; without it marathon-lb disables verification (spec §1.2; `mlb serve` keeps that but
 * says so once), while zdd.py verified Marathon against the system's CAs (spec §8.1; `mlb zdd`).
 */
import {readFileSync} from 'node:fs'

import type {Agent} from 'undici'

import {MlbError} from '../errors.js'
import type {Logger} from '../log.js'
import {undiciCore} from './undici-core.js'

/** marathon-lb's connect timeout (requests `timeout=(3.05, 46)`). */
export const CONNECT_TIMEOUT_MS = 3050
/** marathon-lb's read timeout. */
export const READ_TIMEOUT_MS = 46_000

/**
 * Marathon's certificate when no `--marathon-ca-cert` is given: `unverified` (marathon-lb's
 * serve, the default) or checked against the `system-cas` (zdd.py's Marathon requests).
 */
export type WithoutCaCert = 'unverified' | 'system-cas'

/** Options of {@link createMarathonAgent}. */
export interface MarathonAgentOptions {
  readonly caCertPath?: string | undefined
  readonly withoutCaCert?: WithoutCaCert | undefined
  readonly connectTimeoutMs?: number | undefined
  readonly readTimeoutMs?: number | undefined
  /** The URLs this agent will talk to (to decide whether the TLS warning applies). */
  readonly urls: readonly string[]
  readonly logger?: Logger | undefined
}

let warnedInsecure = false

/** A keep-alive undici Agent configured as marathon-lb's requests session. */
export function createMarathonAgent(opts: MarathonAgentOptions): Agent {
  let ca: string | undefined
  if (opts.caCertPath !== undefined) {
    try {
      ca = readFileSync(opts.caCertPath, 'utf8')
    } catch (err) {
      const code = (err as {code?: string}).code ?? 'unreadable'
      throw new MlbError(`cannot read --marathon-ca-cert ${opts.caCertPath}: ${code}`, {code: 'MLB_ERR_CA_CERT', exit: 1, cause: err})
    }
  } else if (opts.withoutCaCert !== 'system-cas' && !warnedInsecure && opts.urls.some((u) => u.toLowerCase().startsWith('https:'))) {
    warnedInsecure = true
    opts.logger?.warn('TLS certificates of Marathon are not verified (as marathon-lb); pass --marathon-ca-cert to verify them')
  }
  const read = opts.readTimeoutMs ?? READ_TIMEOUT_MS
  return new (undiciCore().Agent)({
    connections: 8,
    headersTimeout: read,
    bodyTimeout: read,
    connect: {
      timeout: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      rejectUnauthorized: ca !== undefined || opts.withoutCaCert === 'system-cas',
      ...(ca === undefined ? {} : {ca}),
    },
  })
}
