/**
 * Task host name → IPv4 at the edge (spec §5.4): marathon-lb's `gethostbyname` with an LRU of
 * `--lru-cache-capacity` entries that never expire; failures are not cached; an IPv4 literal is
 * its own address. The pure core receives the answers as `hostIps`.
 */
import {lookup} from 'node:dns/promises'
import {isIPv4} from 'node:net'

import type {Logger} from '../log.js'
import {ReadTasks} from '../model/apps.js'

/** Looks up one host name; resolves to undefined when it has no IPv4 address. */
export type LookupFn = (host: string) => Promise<string | undefined>

/** The system resolver (getaddrinfo, IPv4 only), as Python's `socket.gethostbyname`. */
export const systemLookup: LookupFn = async (host) => {
  try {
    return (await lookup(host, {family: 4})).address
  } catch {
    return undefined
  }
}

/** Lookups run at once at most (getaddrinfo runs on libuv's 4-thread pool anyway). */
const MAX_PARALLEL = 8

/** Resolves host names with a bounded, never-expiring LRU cache. */
export class HostResolver {
  private readonly cache = new Map<string, string>()

  constructor(
    private readonly capacity: number,
    private readonly lookupFn: LookupFn = systemLookup,
    private readonly logger?: Logger,
  ) {}

  /** Cached entries, for tests and metrics. */
  get size(): number {
    return this.cache.size
  }

  /** The IPv4 address of `host`, or undefined when it cannot be resolved. */
  async resolve(host: string): Promise<string | undefined> {
    if (isIPv4(host)) return host
    const hit = this.cache.get(host)
    if (hit !== undefined) {
      this.cache.delete(host) // re-insert: Map order is the LRU order
      this.cache.set(host, hit)
      return hit
    }
    const ip = await this.lookupFn(host)
    if (ip === undefined) {
      this.logger?.debug(`Could not resolve ip for host ${host}`)
      return undefined
    }
    if (this.capacity > 0) {
      this.cache.set(host, ip)
      if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!)
    }
    return ip
  }

  /** Resolves every distinct host (IPv4 literals skipped) and returns the ones that resolved. */
  async resolveAll(hosts: Iterable<string>): Promise<Map<string, string>> {
    const todo = [...new Set(hosts)].filter((h) => h !== '' && !isIPv4(h))
    const out = new Map<string, string>()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const host = todo[next++]!
        const ip = await this.resolve(host)
        if (ip !== undefined) out.set(host, ip)
      }
    }
    await Promise.all(Array.from({length: Math.min(MAX_PARALLEL, todo.length)}, worker))
    return out
  }
}

/** The `host` of every task in a Marathon `/v2/apps` body, tolerating any shape. */
export function taskHosts(marathon: unknown): Set<string> {
  const hosts = new Set<string>()
  const apps = (marathon as {apps?: unknown} | null)?.apps
  if (!Array.isArray(apps)) return hosts
  for (const app of apps as unknown[]) {
    const field = (app as {tasks?: unknown} | null)?.tasks
    const tasks = field instanceof ReadTasks ? field.tasks : field
    if (!Array.isArray(tasks)) continue
    for (const task of tasks as unknown[]) {
      const host = (task as {host?: unknown} | null)?.host
      if (typeof host === 'string' && host !== '') hosts.add(host)
    }
  }
  return hosts
}
