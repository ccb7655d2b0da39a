/**
 * The TCP addresses a configuration's `bind` lines listen on, and which of them a reload would
 * newly bind (docs/haproxy.md "Finding bad apps by bisection"). `haproxy -c` does not bind, so a
 * service port another process already holds passes it, and only the reload fails; the daemon
 * tries the new addresses itself first. Pure, apart from the injected trial bind.
 */
import {isIP} from 'node:net'

/** One TCP address of a `bind` line. */
export interface BindAddress {
  /** IP literal to listen on; HAProxy's `*` and empty host are `0.0.0.0` (`::` with `ipv6@`). */
  readonly host: string
  readonly port: number
  /** As written in the config, for messages (`127.0.0.1:41004`). */
  readonly text: string
}

/** The errors of a trial bind that mean HAProxy could not bind the address either. */
export type BindRefusal = 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL'

/** Listens on an address and closes at once: a refusal, or undefined when it could bind. */
export type TrialBind = (address: BindAddress) => Promise<BindRefusal | undefined>

// TCP prefixes and the address family they force; `abns@`, `unix@`, `fd@`, `udp@`, `quic4@`… are
// not TCP and are skipped.
const TCP_PREFIXES = new Map<string, 4 | 6 | undefined>([['ipv4@', 4], ['tcp4@', 4], ['ipv6@', 6], ['tcp6@', 6], ['tcp@', undefined]])
const WILDCARDS = new Set(['0.0.0.0', '::'])
// `bind` keyword, then the comma-separated address list (options follow after a blank).
const BIND_LINE = /^[ \t]*bind[ \t]+([^ \t\r\n]+)/gm
const REFUSALS: Readonly<Record<BindRefusal, string>> = {
  EADDRINUSE: 'is in use by another process',
  EACCES: 'cannot be bound: permission denied',
  EADDRNOTAVAIL: 'is not an address of this host',
}

/**
 * Parses one address of a `bind` list (`*:80`, `127.0.0.1:80`, `[::1]:80`, `:::80`,
 * `ipv6@:80`); undefined for non-TCP forms, unix paths, port ranges, `${VAR}`, host names and
 * anything else it cannot read, which are then simply not tried.
 */
export function parseBindAddress(text: string): BindAddress | undefined {
  let rest = text
  let family: 4 | 6 | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    const prefix = rest.slice(0, at + 1)
    if (!TCP_PREFIXES.has(prefix)) return undefined
    family = TCP_PREFIXES.get(prefix)
    rest = rest.slice(at + 1)
  }
  // The port follows the last colon, so `:::80` is host `::`, port 80 (HAProxy reads it so too).
  const colon = rest.lastIndexOf(':')
  const portText = rest.slice(colon + 1)
  if (colon < 0 || !/^\d{1,5}$/.test(portText)) return undefined
  const port = Number(portText)
  if (port < 1 || port > 65535) return undefined
  let host = rest.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host === '' || host === '*') host = family === 6 ? '::' : '0.0.0.0'
  const kind = isIP(host)
  if (kind === 0 || (family !== undefined && kind !== family)) return undefined
  return {host, port, text}
}

// Every address of every `bind` line, as written.
function bindTexts(config: string): string[] {
  const out: string[] = []
  for (const m of config.matchAll(BIND_LINE)) out.push(...(m[1] ?? '').split(','))
  return out
}

function parsed(texts: readonly string[]): BindAddress[] {
  return texts.map(parseBindAddress).filter((b): b is BindAddress => b !== undefined)
}

/** Every TCP address of every `bind` line of `config`, in order, duplicates included. */
export function bindAddresses(config: string): BindAddress[] {
  return parsed(bindTexts(config))
}

/**
 * The addresses of `next` a reload would bind anew: those `running` (the deployed config, whose
 * sockets the running HAProxy holds) has no overlapping bind for, once each. An address
 * overlapping a running one (same port, same host or either a wildcard) is left out: a trial
 * bind would fail on HAProxy's own socket, while HAProxy itself rebinds it (SO_REUSEPORT).
 */
export function newBinds(next: string, running: string | undefined): BindAddress[] {
  if (next === running) return []
  const runningTexts = running === undefined ? [] : bindTexts(running)
  // Usually only server lines changed: addresses written as before are held without parsing.
  const written = new Set(runningTexts)
  const candidates = parsed(bindTexts(next).filter((t) => !written.has(t)))
  if (candidates.length === 0) return []
  const held = new Map<number, string[]>()
  for (const b of parsed(runningTexts)) {
    const hosts = held.get(b.port)
    if (hosts === undefined) held.set(b.port, [b.host])
    else hosts.push(b.host)
  }
  const seen = new Set<string>()
  const out: BindAddress[] = []
  for (const b of candidates) {
    const key = `${b.host} ${b.port}`
    if (seen.has(key)) continue
    seen.add(key)
    const hosts = held.get(b.port) ?? []
    if (!hosts.some((h) => h === b.host || WILDCARDS.has(h) || WILDCARDS.has(b.host))) out.push(b)
  }
  return out
}

/** Whether an error code of a trial bind is one HAProxy would fail on too. */
export function isBindRefusal(code: unknown): code is BindRefusal {
  return typeof code === 'string' && Object.hasOwn(REFUSALS, code)
}

/** The log text of a refusal: `127.0.0.1:41004 is in use by another process (EADDRINUSE)`. */
export function describeRefusal(address: BindAddress, code: BindRefusal): string {
  return `${address.text} ${REFUSALS[code]} (${code})`
}

/**
 * Tries the new binds of `next` one after the other (at once, two of them could refuse each
 * other) and describes the first refusal; undefined when HAProxy can bind them all.
 */
export async function firstUnbindable(next: string, running: string | undefined, tryBind: TrialBind): Promise<string | undefined> {
  for (const b of newBinds(next, running)) {
    const code = await tryBind(b)
    if (code !== undefined) return describeRefusal(b, code)
  }
  return undefined
}
