/**
 * The load balancers zdd watches: their URLs (every A record of `--marathon-lb`, or an explicit
 * list) and one poll of all of them (PIDs to detect reloads, stats CSV for the group's servers).
 * HTTP goes through the small {@link LbClient} interface so the runner is testable with a fake.
 * A poll takes the run's AbortSignal, so SIGINT/SIGTERM does not wait out the 10 s timeouts.
 */
import {request} from 'undici'

import {MarathonLbEndpointError, errorMessage} from '../errors.js'
import {parseHaproxyStats, type StatRow} from '../haproxy/stats.js'
import {redactUrl} from '../redact.js'
import {selectListeners} from './drain.js'
import type {LbSnapshot} from './state.js'

/** Raw answers of one load balancer's marathon-lb endpoints. */
export interface LbClient {
  /** Body of `GET <url>/_haproxy_getpids`, split on whitespace. Throws on failure or abort. */
  pids(url: string, signal?: AbortSignal): Promise<string[]>
  /** Body of `GET <url>/haproxy?stats;csv`. Throws on failure or abort. */
  stats(url: string, signal?: AbortSignal): Promise<string>
}

/** Port used when `--marathon-lb` has none (marathon-lb's stats port; zdd.py made `:None`, §10.39). */
export const DEFAULT_LB_PORT = 9090

/** Resolves a host name to its IPv4 addresses (all A records). */
export type Resolve4 = (host: string) => Promise<string[]>

function withDefaultPort(u: URL): URL {
  if (u.port === '') u.port = String(DEFAULT_LB_PORT)
  return u
}

function base(u: URL): string {
  return u.toString().replace(/\/$/, '')
}

/**
 * The load balancer base URLs. One value: one URL per A record of its host, keeping scheme,
 * port and path (zdd.py's behaviour); an IP literal stands for itself. Several values: used as
 * given. A missing port is {@link DEFAULT_LB_PORT}. Throws {@link MarathonLbEndpointError}
 * (exit 5) for a bad URL or a host that does not resolve.
 */
export async function resolveLbUrls(values: readonly string[], resolve4: Resolve4): Promise<string[]> {
  const urls = values.map((v) => {
    try {
      return withDefaultPort(new URL(v))
    } catch {
      throw new MarathonLbEndpointError(`--marathon-lb: not a URL: ${redactUrl(v)}`)
    }
  })
  const only = urls[0]
  if (urls.length !== 1 || only === undefined) return urls.map(base)
  const host = only.hostname
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')) return [base(only)]
  let addrs: string[]
  try {
    addrs = await resolve4(host)
  } catch (err) {
    throw new MarathonLbEndpointError(`--marathon-lb: cannot resolve ${host}: ${errorMessage(err)}`, {cause: err})
  }
  if (addrs.length === 0) throw new MarathonLbEndpointError(`--marathon-lb: ${host} has no A record`)
  return addrs.map((addr) => {
    const u = new URL(only.toString())
    u.hostname = addr
    return base(u)
  })
}

/** One poll of every load balancer, plus what failed (for logs and the first-poll rule). */
export interface LbPoll {
  readonly snapshot: LbSnapshot
  readonly errors: readonly string[]
}

/** More than 2 PIDs (HAProxy master + worker) means a reload is still finishing (spec §8.3). */
export function isReloading(pids: readonly string[]): boolean {
  return pids.length > 2
}

/**
 * Polls every LB at once: PIDs, then (when none reloads) the group's server rows. An aborted
 * poll looks like a failed one; the caller checks its signal before using the result.
 */
export async function pollLbs(urls: readonly string[], client: LbClient, pxname: string, signal?: AbortSignal): Promise<LbPoll> {
  const errors: string[] = []
  const pidResults = await Promise.all(
    urls.map(async (url) => {
      try {
        return isReloading(await client.pids(url, signal))
      } catch (err) {
        errors.push(`${redactUrl(url)}/_haproxy_getpids: ${errorMessage(err)}`)
        return true // zdd.py: "assume reloading on any error"
      }
    }),
  )
  const reloading = urls.filter((_u, i) => pidResults[i] === true).map(redactUrl)
  const perLb = await Promise.all(
    urls.map(async (url): Promise<StatRow[] | undefined> => {
      try {
        return parseHaproxyStats(await client.stats(url, signal))
      } catch (err) {
        errors.push(`${redactUrl(url)}/haproxy?stats;csv: ${errorMessage(err)}`)
        return undefined
      }
    }),
  )
  const complete = perLb.every((rows) => rows !== undefined)
  const listeners = complete ? selectListeners(perLb as StatRow[][], pxname) : undefined
  return {snapshot: {count: urls.length, reloading, listeners}, errors}
}

/** {@link LbClient} over HTTP with connect and read timeouts (zdd.py had none, spec §10.45). */
export class HttpLbClient implements LbClient {
  constructor(private readonly timeoutMs = 10_000) {}

  private async get(url: string, signal: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const stop = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const res = await request(url, {method: 'GET', headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, signal: stop})
    const text = await res.body.text()
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`HTTP ${res.statusCode}`)
    return text
  }

  async pids(url: string, signal?: AbortSignal): Promise<string[]> {
    return (await this.get(`${url}/_haproxy_getpids`, signal)).split(/\s+/).filter((p) => p !== '')
  }

  async stats(url: string, signal?: AbortSignal): Promise<string> {
    return this.get(`${url}/haproxy?stats;csv`, signal)
  }
}
