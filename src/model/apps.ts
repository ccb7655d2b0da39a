/**
 * Marathon JSON → typed apps (spec §5.1, §5.1a). Untrusted input: a field of the wrong type
 * never throws past this module; the app is left out with a problem naming the field
 * (issue 2 "Bad input"). A body that is not `{"apps": [...]}` is refused as a whole.
 */
import {MarathonError} from '../errors.js'
import type {PyValue} from '../templates/pyvalue.js'
import {NOT_A_WORD, notAWord} from './config-word.js'
import type {App, HealthCheck, PortMapping, Task} from './types.js'

/** A malformed app, left out of generation. */
export interface AppProblem {
  /** The app id when it could be read, else `apps[<index>]`. */
  readonly appId: string
  readonly reason: string
}

/** Parsed apps, in Marathon's order, and the apps left out. */
export interface ParsedApps {
  readonly apps: readonly App[]
  readonly problems: readonly AppProblem[]
}

type Json = {readonly [key: string]: unknown}

/**
 * An app's `tasks` list already read into the model by a byte reader
 * (src/marathon/task-bytes.ts), taken as it is. JSON cannot produce one: only mlb's own readers
 * put it in place of the list.
 */
export class ReadTasks {
  constructor(readonly tasks: readonly Task[]) {}
}

/**
 * Thrown inside this module for one malformed field; caught per app. The field's path is
 * prefixed on the way out ({@link within}), so no path string is built unless a field is bad.
 */
class FieldError extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field} ${problem}`)
  }
}

/** `err` with `path.` before its field when it is a {@link FieldError}, else `err` unchanged. */
function prefixed(err: unknown, path: string): unknown {
  return err instanceof FieldError ? new FieldError(`${path}.${err.field}`, err.problem) : err
}

/** `f()`, with field errors reported under `path.` (a constant: no string is built unless one fails). */
function at<T>(path: string, f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw prefixed(err, path)
  }
}

/** spec §5.1: JSON nulls are removed recursively from objects (list elements are kept). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k]
      if (v !== null) out[k] = typeof v === 'object' ? stripNulls(v) : v
    }
    return out
  }
  return value
}

/**
 * Parses Marathon's apps body; throws `MarathonError` when it is not `{"apps": [...]}`. With
 * `memo`, an app object seen before gives back the App parsed then.
 */
export function parseMarathonApps(json: unknown, memo?: ParseMemo): ParsedApps {
  if (!isObject(json) || !Array.isArray(json.apps)) {
    throw new MarathonError('Marathon returned an unexpected body: expected a JSON object with an "apps" list', {code: 'MLB_ERR_MARATHON_BODY'})
  }
  const apps: App[] = []
  const problems: AppProblem[] = []
  const list = json.apps as readonly unknown[]
  for (let index = 0; index < list.length; index++) {
    const raw = list[index]
    try {
      apps.push(memo === undefined ? parseApp(raw) : appOf(raw, memo))
    } catch (err) {
      if (!(err instanceof FieldError)) throw err
      // An id that is not a word is named by its index: it would split the line it is logged on.
      const id = isObject(raw) && typeof raw.id === 'string' && !NOT_A_WORD.test(raw.id) ? raw.id : `apps[${index}]`
      problems.push({appId: id, reason: `malformed Marathon app: ${err.message}`})
    }
  }
  return {apps, problems}
}

/**
 * Apps already parsed, by the raw object they came from. The daemon's reader hands back the very
 * same object for an app that did not change (src/marathon/app-reuse.ts), and parsed values are
 * never mutated, so the App found here is exactly what parsing again would give.
 */
export type ParseMemo = WeakMap<object, App>

function appOf(raw: unknown, memo: ParseMemo): App {
  if (typeof raw !== 'object' || raw === null) return parseApp(raw)
  let app = memo.get(raw)
  if (app === undefined) memo.set(raw, (app = parseApp(raw)))
  return app
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function obj(o: Json, key: string): Json | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (!isObject(v)) throw new FieldError(key, 'must be an object')
  return v
}

function list(o: Json, key: string): readonly unknown[] | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new FieldError(key, 'must be a list')
  return v
}

function str(o: Json, key: string): string | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new FieldError(key, 'must be a string')
  return v
}

function int(o: Json, key: string): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldError(key, 'must be an integer')
  return v
}

/** A string written into the configuration as one word (see {@link NOT_A_WORD}). */
function word(o: Json, key: string): string | undefined {
  const v = str(o, key)
  if (v !== undefined && NOT_A_WORD.test(v)) throw new FieldError(key, notAWord(v))
  return v
}

/** A TCP port (0 is Marathon's "not assigned"): anything else would be a `bind` or `server` HAProxy refuses. */
function port(o: Json, key: string): number | undefined {
  const v = int(o, key)
  if (v !== undefined && !isPort(v)) throw new FieldError(key, `must be a port number 0-65535, got ${v}`)
  return v
}

/** Whether `v` (an integer) is a TCP port number, 0 included. */
export function isPort(v: number): boolean {
  return v >= 0 && v <= 65535
}

function num(o: Json, key: string): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(key, 'must be a number')
  return v
}

/**
 * The objects of list `key` mapped with `f` (undefined results left out), empty when absent.
 * Every element is checked to be an object before any is mapped, so the first problem reported
 * does not depend on the order of the checks.
 */
function objects<T>(o: Json, key: string, f: (e: Json) => T | undefined): T[] {
  const l = list(o, key)
  if (l === undefined) return []
  for (let i = 0; i < l.length; i++) if (!isObject(l[i])) throw new FieldError(`${key}[${i}]`, 'must be an object')
  // Sized up front: a list grown by push keeps room for 16 more, and most of these hold one.
  const out = new Array<T>(l.length)
  let n = 0
  for (let i = 0; i < l.length; i++) {
    let v: T | undefined
    try {
      v = f(l[i] as Json)
    } catch (err) {
      throw prefixed(err, `${key}[${i}]`)
    }
    if (v !== undefined) out[n++] = v
  }
  out.length = n
  return out
}

/** A list of port numbers (see {@link port}). */
function portList(o: Json, key: string): readonly number[] | undefined {
  const l = list(o, key)
  if (l === undefined) return undefined
  for (let i = 0; i < l.length; i++) {
    const e = l[i]
    if (typeof e !== 'number' || !Number.isInteger(e)) throw new FieldError(`${key}[${i}]`, 'must be an integer')
    if (!isPort(e)) throw new FieldError(`${key}[${i}]`, `must be a port number 0-65535, got ${e}`)
  }
  // Every element is a port number: the list itself is the typed value (never mutated).
  return l as readonly number[]
}

function parseApp(raw: unknown): App {
  if (!isObject(raw)) throw new FieldError('app', 'must be an object')
  const id = word(raw, 'id')
  if (id === undefined || id === '') throw new FieldError('id', 'is missing')
  const container = obj(raw, 'container')
  const docker = container === undefined ? undefined : at('container', () => obj(container, 'docker'))
  const ipAddress = obj(raw, 'ipAddress')
  const discovery = ipAddress === undefined ? undefined : at('ipAddress', () => obj(ipAddress, 'discovery'))
  const versionInfo = obj(raw, 'versionInfo')
  return {
    id,
    labels: parseLabels(obj(raw, 'labels') ?? {}),
    instances: int(raw, 'instances') ?? 0,
    ports: portList(raw, 'ports'),
    portDefinitions: list(raw, 'portDefinitions') === undefined ? undefined : objects(raw, 'portDefinitions', (p) => port(p, 'port')),
    hasIpAddress: ipAddress !== undefined && Object.keys(ipAddress).length > 0,
    discoveryPorts: discovery === undefined ? [] : at('ipAddress.discovery', () => objects(discovery, 'ports', (p) => port(p, 'number'))),
    dockerNetwork: docker === undefined ? undefined : at('container.docker', () => str(docker, 'network')),
    dockerPortMappings: docker === undefined ? [] : at('container.docker', () => portMappings(docker)),
    containerPortMappings: container === undefined ? [] : at('container', () => portMappings(container)),
    networkModes: objects(raw, 'networks', (n) => [str(n, 'mode')]).map((m) => m[0]),
    healthChecks: objects(raw, 'healthChecks', parseHealthCheck),
    lastScalingAt: versionInfo === undefined ? undefined : at('versionInfo', () => str(versionInfo, 'lastScalingAt')),
    tasks: raw.tasks instanceof ReadTasks ? raw.tasks.tasks : objects(raw, 'tasks', parseTask),
  }
}

function parseLabels(labels: Json): Readonly<Record<string, string>> {
  for (const k in labels) {
    if (Object.hasOwn(labels, k) && typeof labels[k] !== 'string') throw new FieldError(`labels.${k}`, 'must be a string')
  }
  return labels as Readonly<Record<string, string>>
}

function portMappings(o: Json): readonly PortMapping[] {
  return objects(o, 'portMappings', (m) => ({containerPort: port(m, 'containerPort'), servicePort: port(m, 'servicePort')}))
}

function parseHealthCheck(h: Json): HealthCheck {
  return {
    raw: stripNulls(h) as {readonly [key: string]: PyValue},
    protocol: str(h, 'protocol'),
    portIndex: int(h, 'portIndex'),
    port: port(h, 'port'),
    path: word(h, 'path'),
    timeoutSeconds: num(h, 'timeoutSeconds'),
    intervalSeconds: num(h, 'intervalSeconds'),
    gracePeriodSeconds: num(h, 'gracePeriodSeconds'),
    maxConsecutiveFailures: num(h, 'maxConsecutiveFailures'),
  }
}

function parseTask(t: Json): Task {
  const results = list(t, 'healthCheckResults')
  return {
    id: str(t, 'id') ?? '',
    host: str(t, 'host') ?? '',
    ports: portList(t, 'ports') ?? [],
    state: str(t, 'state'),
    // Every entry is checked; only the first address and whether any result is alive are kept.
    ipAddress: objects(t, 'ipAddresses', (a) => word(a, 'ipAddress'))[0],
    alive: results === undefined ? undefined : objects(t, 'healthCheckResults', (r) => r.alive === true).includes(true),
    draining: false,
  }
}
