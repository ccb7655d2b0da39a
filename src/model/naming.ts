/**
 * marathon-lb's names and ids (spec §5.6, §5.7), in one place for the renderer, zdd and the
 * daemon. Pure.
 */
import {hash} from 'node:crypto'

import {asciiSha256Mod} from './ascii-sha256.js'

/** spec conventions: every character outside `[A-Za-z0-9-]` becomes `_` (one per code point). */
export function sanitize(s: string): string {
  // Host names and IPv4 addresses, nearly every name, hold only name characters and dots: one
  // pass over them, no regular expression (25,000 task addresses at 5,000 apps).
  let dots = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === DOT) dots = true
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x2d)) return sanitizeAny(s)
  }
  return dots ? s.replaceAll('.', '_') : s
}

const DOT = 0x2e

function sanitizeAny(s: string): string {
  // The unicode-aware regex is several times slower; only astral characters need it.
  return SURROGATE.test(s) ? s.replace(NOT_NAME_U, '_') : s.replace(NOT_NAME, '_')
}

const SURROGATE = /[\uD800-\uDFFF]/
const NOT_NAME = /[^A-Za-z0-9-]/g
const NOT_NAME_U = /[^A-Za-z0-9-]/gu

/** App id without its first character, `/` → `_` (dots etc. survive, spec §10.9). */
export function appIdPart(appId: string): string {
  return appId.slice(1).replaceAll('/', '_')
}

/** Backend (and service frontend) name: `shop_web_10001` for `/shop/web` port 10001. */
export function backendName(appId: string, servicePort: number): string {
  return `${appIdPart(appId)}_${servicePort}`
}

/** Suffix of vhost ACL names: sanitize(first vhost) + `_` + the app-id part. */
export function cleanedUpHostname(firstVhost: string, appId: string): string {
  return `${sanitize(firstVhost)}_${appIdPart(appId)}`
}

/** Suffix of the :9091 ACL: sanitize of the full app id (`/nginx` → `_nginx`). */
export function cleanedUpAppId(appId: string): string {
  return sanitize(appId)
}

/**
 * Server name: sanitize(`host_ip_port`), or sanitize(`ip_port`) when host is the IP. Built from
 * the sanitized parts, which is the same string: `_` and the port's digits are left as they are,
 * and `_` between the parts keeps a surrogate pair from forming across them.
 */
export function serverName(host: string, ip: string, port: number): string {
  const cleanIp = sanitize(ip)
  return host === ip ? `${cleanIp}_${port}` : `${sanitize(host)}_${cleanIp}_${port}`
}

/** Sticky cookie value: first 10 hex digits of SHA-1 of the server name. */
export function cookieHash(name: string): string {
  return hash('sha1', name, 'hex').slice(0, 10)
}

const MODULUS = 32767

/**
 * The id candidate of a name: `int(sha256(name).hexdigest(), 16) mod 32767` (spec §5.7),
 * reduced 32 bits at a time (Horner's rule: every intermediate stays below 32767 × 2^32 < 2^53,
 * exact in a double, so no BigInt is needed). Not memoised: hashing a name costs about what a
 * Map lookup of it does, and the daemon re-renders only the backends of apps that changed.
 */
export function serverIdCandidate(name: string): number {
  return asciiSha256Mod(name, MODULUS) ?? digestMod(name)
}

/** The same reduction from node:crypto's digest, for names with non-ASCII characters. */
function digestMod(name: string): number {
  const digest = hash('sha256', name, 'buffer')
  let id = 0
  for (let i = 0; i < digest.length; i += 4) id = (id * 0x100000000 + digest.readUInt32BE(i)) % MODULUS
  return id
}

/**
 * spec §5.7: the id of one server given the ids already taken in its backend. A zero or taken
 * id is retried with the name `"<name> <digest>"`, recursively. Adds the id to `taken`.
 */
export function serverId(name: string, taken: Set<number>): number {
  if (name === '') throw new Error('server name must not be empty')
  let current = name
  // Each retry hashes a new string; 32767 ids cannot all be taken in one backend in practice,
  // but the loop is bounded anyway.
  for (let attempt = 0; attempt < 1_000_000; attempt++) {
    const id = serverIdCandidate(current)
    if (id > 0 && !taken.has(id)) {
      taken.add(id)
      return id
    }
    current = `${current} ${hash('sha256', current, 'hex')}`
  }
  throw new Error(`cannot assign a server id to ${name}`)
}

/** Ids for a backend's servers, in server order, with a fresh taken set (spec §5.7). */
export function serverIds(names: readonly string[]): number[] {
  const taken = new Set<number>()
  return names.map((n) => serverId(n, taken))
}
