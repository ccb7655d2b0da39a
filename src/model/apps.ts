/**
 * Marathon JSON → typed apps (spec §5.1, §5.1a). Untrusted input: a field of the wrong type
 * never throws past this module; the app is left out with a problem naming the field
 * (issue 2 "Bad input"). A body that is not `{"apps": [...]}` is refused as a whole.
 */
import {MarathonError} from '../errors.js'
import type {PyValue} from '../templates/pyvalue.js'
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

/** Thrown inside this module for one malformed field; caught per app. */
class FieldError extends Error {}

/** spec §5.1: JSON nulls are removed recursively from objects (list elements are kept). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v)
    return out
  }
  return value
}

/** Parses Marathon's apps body; throws `MarathonError` when it is not `{"apps": [...]}`. */
export function parseMarathonApps(json: unknown): ParsedApps {
  if (!isObject(json) || !Array.isArray(json.apps)) {
    throw new MarathonError('Marathon returned an unexpected body: expected a JSON object with an "apps" list', {code: 'MLB_ERR_MARATHON_BODY'})
  }
  const apps: App[] = []
  const problems: AppProblem[] = []
  json.apps.forEach((raw: unknown, index: number) => {
    const id = isObject(raw) && typeof raw.id === 'string' ? raw.id : `apps[${index}]`
    try {
      apps.push(parseApp(raw))
    } catch (err) {
      if (!(err instanceof FieldError)) throw err
      problems.push({appId: id, reason: `malformed Marathon app: ${err.message}`})
    }
  })
  return {apps, problems}
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function obj(o: Json, key: string, path: string): Json | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (!isObject(v)) throw new FieldError(`${path}${key} must be an object`)
  return v
}

function list(o: Json, key: string, path: string): readonly unknown[] | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new FieldError(`${path}${key} must be a list`)
  return v
}

function str(o: Json, key: string, path: string): string | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new FieldError(`${path}${key} must be a string`)
  return v
}

function int(o: Json, key: string, path: string): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldError(`${path}${key} must be an integer`)
  return v
}

function num(o: Json, key: string, path: string): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(`${path}${key} must be a number`)
  return v
}

function objects(o: Json, key: string, path: string): readonly Json[] {
  return (list(o, key, path) ?? []).map((e, i) => {
    if (!isObject(e)) throw new FieldError(`${path}${key}[${i}] must be an object`)
    return e
  })
}

function ints(o: Json, key: string, path: string): readonly number[] | undefined {
  return list(o, key, path)?.map((e, i) => {
    if (typeof e !== 'number' || !Number.isInteger(e)) throw new FieldError(`${path}${key}[${i}] must be an integer`)
    return e
  })
}

function parseApp(raw: unknown): App {
  if (!isObject(raw)) throw new FieldError('app must be an object')
  const id = str(raw, 'id', '')
  if (id === undefined || id === '') throw new FieldError('id is missing')
  const container = obj(raw, 'container', '')
  const docker = container === undefined ? undefined : obj(container, 'docker', 'container.')
  const ipAddress = obj(raw, 'ipAddress', '')
  const discovery = ipAddress === undefined ? undefined : obj(ipAddress, 'discovery', 'ipAddress.')
  const versionInfo = obj(raw, 'versionInfo', '')
  return {
    id,
    labels: parseLabels(obj(raw, 'labels', '') ?? {}),
    instances: int(raw, 'instances', '') ?? 0,
    ports: ints(raw, 'ports', ''),
    portDefinitions: list(raw, 'portDefinitions', '') === undefined
      ? undefined
      : objects(raw, 'portDefinitions', '').flatMap((p, i) => {
        const port = int(p, 'port', `portDefinitions[${i}].`)
        return port === undefined ? [] : [port]
      }),
    hasIpAddress: ipAddress !== undefined && Object.keys(ipAddress).length > 0,
    discoveryPorts: discovery === undefined ? [] : objects(discovery, 'ports', 'ipAddress.discovery.').flatMap((p, i) => {
      const n = int(p, 'number', `ipAddress.discovery.ports[${i}].`)
      return n === undefined ? [] : [n]
    }),
    dockerNetwork: docker === undefined ? undefined : str(docker, 'network', 'container.docker.'),
    dockerPortMappings: docker === undefined ? [] : portMappings(docker, 'container.docker.'),
    containerPortMappings: container === undefined ? [] : portMappings(container, 'container.'),
    networkModes: objects(raw, 'networks', '').map((n, i) => str(n, 'mode', `networks[${i}].`)),
    healthChecks: objects(raw, 'healthChecks', '').map((h, i) => parseHealthCheck(h, `healthChecks[${i}].`)),
    lastScalingAt: versionInfo === undefined ? undefined : str(versionInfo, 'lastScalingAt', 'versionInfo.'),
    tasks: objects(raw, 'tasks', '').map((t, i) => parseTask(t, `tasks[${i}].`)),
  }
}

function parseLabels(labels: Json): Readonly<Record<string, string>> {
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw new FieldError(`labels.${k} must be a string`)
  }
  return labels as Readonly<Record<string, string>>
}

function portMappings(o: Json, path: string): readonly PortMapping[] {
  return objects(o, 'portMappings', path).map((m, i) => ({
    containerPort: int(m, 'containerPort', `${path}portMappings[${i}].`),
    servicePort: int(m, 'servicePort', `${path}portMappings[${i}].`),
  }))
}

function parseHealthCheck(h: Json, path: string): HealthCheck {
  return {
    raw: stripNulls(h) as {readonly [key: string]: PyValue},
    protocol: str(h, 'protocol', path),
    portIndex: int(h, 'portIndex', path),
    port: int(h, 'port', path),
    path: str(h, 'path', path),
    timeoutSeconds: num(h, 'timeoutSeconds', path),
    intervalSeconds: num(h, 'intervalSeconds', path),
    gracePeriodSeconds: num(h, 'gracePeriodSeconds', path),
    maxConsecutiveFailures: num(h, 'maxConsecutiveFailures', path),
  }
}

function parseTask(t: Json, path: string): Task {
  const results = list(t, 'healthCheckResults', path)
  return {
    id: str(t, 'id', path) ?? '',
    host: str(t, 'host', path) ?? '',
    ports: ints(t, 'ports', path) ?? [],
    state: str(t, 'state', path),
    ipAddresses: objects(t, 'ipAddresses', path).flatMap((a, i) => {
      const ip = str(a, 'ipAddress', `${path}ipAddresses[${i}].`)
      return ip === undefined ? [] : [ip]
    }),
    healthCheckResults: results === undefined ? undefined : objects(t, 'healthCheckResults', path).map((r) => r.alive === true),
    draining: false,
  }
}
