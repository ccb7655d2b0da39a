/**
 * Service-port auto-assignment for IP-per-task apps without service ports (spec §5.5).
 * Deterministic: a pure function of the app list in Marathon's order, identical on every LB.
 */
import {createHash} from 'node:crypto'

/** An inclusive port range. */
export interface PortRange {
  readonly min: number
  readonly max: number
}

/** Assigns service ports within one build; create a fresh one per regeneration. */
export interface PortAssigner {
  /** One service port per task port (undefined once the range is exhausted). */
  assign(appId: string, taskPorts: readonly number[]): readonly (number | undefined)[]
}

const ATTEMPTS = 50

/** spec §5.5: the first 8 hex digits of SHA-1 of `"<appId>-<taskPort>-<attempt>"`, as an integer. */
export function portHash(text: string): number {
  return parseInt(createHash('sha1').update(text, 'utf8').digest('hex').slice(0, 8), 16)
}

/**
 * A fresh assigner over `range` (spec §5.1: reset at the start of every build). `hash` is
 * replaceable so tests can force clashes.
 */
export function createPortAssigner(range: PortRange, hash: (text: string) => number = portHash): PortAssigner {
  const size = range.max - range.min + 1
  const byKey = new Map<string, number | undefined>()
  const used = new Set<number>()
  const assignOne = (appId: string, taskPort: number): number | undefined => {
    const key = `${appId}-${taskPort}`
    if (byKey.has(key)) return byKey.get(key)
    let port: number | undefined
    // Keys that got no port still count towards the range size (spec §5.5).
    if (byKey.size < size) port = hashedPort(hash, appId, taskPort, range, size, used) ?? lowestFree(range, used)
    byKey.set(key, port)
    if (port !== undefined) used.add(port)
    return port
  }
  return {assign: (appId, taskPorts) => taskPorts.map((p) => assignOne(appId, p))}
}

function hashedPort(hash: (text: string) => number, appId: string, taskPort: number, range: PortRange, size: number, used: ReadonlySet<number>): number | undefined {
  for (let i = 0; i < ATTEMPTS; i++) {
    const candidate = range.min + (hash(`${appId}-${taskPort}-${i}`) % size)
    if (!used.has(candidate)) return candidate
  }
  return undefined
}

function lowestFree(range: PortRange, used: ReadonlySet<number>): number | undefined {
  for (let p = range.min; p <= range.max; p++) if (!used.has(p)) return p
  return undefined
}
