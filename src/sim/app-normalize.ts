/**
 * App normalization: legacy (≤1.4) networking fields migrated to the 1.5 shape and every default
 * filled in (marathon-api §3, `AppNormalization.scala`). Input has passed {@link appShapeErrors}.
 */
import type {
  AppDefinition, ContainerDef, HealthCheckDef, HealthProtocol, KillSelection, NetworkDef, NetworkMode, PortDefinition, PortMapping, ReadinessCheckDef,
} from './app-types.js'
import {absoluteId} from './ids.js'

type Raw = Readonly<Record<string, unknown>>

/** Fields echoed verbatim when present. */
const PASS_THROUGH = ['cmd', 'args', 'user', 'env', 'constraints', 'acceptedResourceRoles', 'executor', 'fetch', 'dependencies', 'secrets', 'role'] as const
/** Pass-through fields Marathon always writes, with their empty value. */
const ALWAYS: Readonly<Record<string, unknown>> = {constraints: [], dependencies: [], env: {}, executor: '', fetch: [], secrets: {}}

/** 1.5-era defaults (the marathon-lb fixtures show 3600 and 300/600, marathon-api §3). */
const DEFAULT_UNREACHABLE = {inactiveAfterSeconds: 300, expungeAfterSeconds: 600}

function obj(v: unknown): Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {}
}
function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : []
}
function num(v: unknown, dflt: number): number {
  return typeof v === 'number' ? v : dflt
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}
function labelsOf(v: unknown): Record<string, string> {
  return {...(obj(v) as Record<string, string>)}
}
function withOpt<T extends object, K extends string, V>(o: T, key: K, v: V | undefined): T & Partial<Record<K, V>> {
  return v === undefined ? o : {...o, [key]: v}
}

/** Networks after migrating `ipAddress` and `container.docker.network` (marathon-api §3.2). */
function networksOf(raw: Raw): NetworkDef[] {
  if (Array.isArray(raw['networks']) && raw['networks'].length > 0) {
    return raw['networks'].map((n) => {
      const o = obj(n)
      const base: NetworkDef = {mode: (str(o['mode']) ?? 'container') as NetworkMode}
      return withOpt(withOpt(base, 'name', str(o['name'])), 'labels', o['labels'] === undefined || o['labels'] === null ? undefined : labelsOf(o['labels']))
    })
  }
  const ip = obj(raw['ipAddress'])
  if (raw['ipAddress'] !== undefined && raw['ipAddress'] !== null) {
    return [withOpt({mode: 'container' as NetworkMode}, 'name', str(ip['networkName']))]
  }
  const dockerNet = str(obj(obj(raw['container'])['docker'])['network'])
  if (dockerNet === 'BRIDGE') return [{mode: 'container/bridge'}]
  if (dockerNet === 'USER') return [{mode: 'container'}]
  return [{mode: 'host'}]
}

function portMappingOf(v: unknown, mode: NetworkMode): PortMapping {
  const o = obj(v)
  // container/bridge: a missing hostPort means 0 (random); container: no host port (§3 table).
  const hostPort = typeof o['hostPort'] === 'number' ? o['hostPort'] : mode === 'container/bridge' ? 0 : undefined
  let m: PortMapping = {containerPort: num(o['containerPort'], 0), servicePort: num(o['servicePort'], 0), protocol: str(o['protocol']) ?? 'tcp', labels: labelsOf(o['labels'])}
  m = withOpt(m, 'hostPort', hostPort)
  m = withOpt(m, 'name', str(o['name']))
  return withOpt(m, 'networkNames', Array.isArray(o['networkNames']) ? (o['networkNames'] as string[]) : undefined)
}

/** Raw port mappings from wherever the input put them; both locations at once is an error. */
function rawMappings(raw: Raw): {list: readonly unknown[] | undefined; conflict: boolean} {
  const container = obj(raw['container'])
  const docker = obj(container['docker'])
  const fresh = Array.isArray(container['portMappings']) ? container['portMappings'] : undefined
  const legacy = Array.isArray(docker['portMappings']) ? docker['portMappings'] : undefined
  if (fresh !== undefined && legacy !== undefined && legacy.length > 0 && fresh.length > 0) return {list: fresh, conflict: true}
  if (fresh !== undefined && fresh.length > 0) return {list: fresh, conflict: false}
  if (legacy !== undefined) return {list: legacy, conflict: false}
  const discovery = arr(obj(obj(raw['ipAddress'])['discovery'])['ports'])
  if (discovery.length > 0) {
    return {list: discovery.map((p) => ({containerPort: obj(p)['number'], name: obj(p)['name'], protocol: obj(p)['protocol']})), conflict: false}
  }
  return {list: fresh, conflict: false}
}

function containerOf(raw: Raw, mode: NetworkMode): ContainerDef | undefined {
  const input = obj(raw['container'])
  if (raw['container'] === undefined || raw['container'] === null) {
    // Non-host networking needs a container to hold the port mappings: use a Mesos one.
    if (mode === 'host') return undefined
  }
  const {list} = rawMappings(raw)
  const mappings = mode === 'host' ? [] : (list ?? [{containerPort: 0, name: 'default'}]).map((m) => portMappingOf(m, mode))
  const {type, docker, volumes, portMappings: _pm, ...rest} = input
  void _pm
  let dockerOut: Record<string, unknown> | undefined
  if (docker !== undefined && docker !== null) {
    const {network: _n, portMappings: _p, ...d} = obj(docker)
    void _n
    void _p
    dockerOut = {forcePullImage: false, parameters: [], privileged: false, ...d}
  }
  const base: ContainerDef = {type: str(type) ?? (dockerOut === undefined ? 'MESOS' : 'DOCKER'), volumes: arr(volumes), portMappings: mappings, rest}
  return withOpt(base, 'docker', dockerOut)
}

function portDefinitionsOf(raw: Raw): PortDefinition[] {
  const defs = raw['portDefinitions']
  if (Array.isArray(defs)) {
    return defs.map((d) => {
      const o = obj(d)
      const pd: PortDefinition = {port: num(o['port'], 0), protocol: str(o['protocol']) ?? 'tcp'}
      return withOpt(withOpt(pd, 'name', str(o['name'])), 'labels', o['labels'] === undefined || o['labels'] === null ? undefined : labelsOf(o['labels']))
    })
  }
  if (Array.isArray(raw['ports'])) return (raw['ports'] as number[]).map((port) => ({port, protocol: 'tcp'}))
  return [{port: 0, name: 'default', protocol: 'tcp'}]
}

const HTTP_LIKE = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS'])

function healthCheckOf(v: unknown): HealthCheckDef {
  const o = obj(v)
  const protocol = (str(o['protocol']) ?? 'HTTP') as HealthProtocol
  let hc: HealthCheckDef = {
    protocol,
    gracePeriodSeconds: num(o['gracePeriodSeconds'], 300),
    intervalSeconds: num(o['intervalSeconds'], 60),
    timeoutSeconds: num(o['timeoutSeconds'], 20),
    maxConsecutiveFailures: num(o['maxConsecutiveFailures'], 3),
    delaySeconds: num(o['delaySeconds'], 15),
    ipProtocol: str(o['ipProtocol']) ?? 'IPv4',
  }
  if (HTTP_LIKE.has(protocol)) hc = {...hc, path: str(o['path']) ?? '/'}
  if (protocol === 'HTTP' || protocol === 'HTTPS') hc = {...hc, ignoreHttp1xx: o['ignoreHttp1xx'] === true}
  if (protocol === 'COMMAND') return withOpt(hc, 'command', o['command'] ?? undefined)
  if (typeof o['port'] === 'number') return {...hc, port: o['port']}
  // Normalization sets portIndex 0 when neither port nor portIndex is given (§3).
  return {...hc, portIndex: num(o['portIndex'], 0)}
}

function readinessCheckOf(v: unknown): ReadinessCheckDef {
  const o = obj(v)
  return {
    name: str(o['name']) ?? 'readinessCheck', protocol: str(o['protocol']) ?? 'HTTP', path: str(o['path']) ?? '/', portName: str(o['portName']) ?? 'http-api',
    intervalSeconds: num(o['intervalSeconds'], 30), timeoutSeconds: num(o['timeoutSeconds'], 10),
    httpStatusCodesForReady: Array.isArray(o['httpStatusCodesForReady']) ? (o['httpStatusCodesForReady'] as number[]) : [200],
    preserveLastResponse: o['preserveLastResponse'] === true,
  }
}

/** True when the raw body puts port mappings in both the 1.5 and the legacy location. */
export function hasConflictingPortMappings(raw: Raw): boolean {
  return rawMappings(raw).conflict
}

/** Normalizes a shape-checked app body into the stored 1.5 form (service ports may still be 0). */
export function normalizeApp(raw: Raw): AppDefinition {
  const networks = networksOf(raw)
  const mode = networks[networks.length - 1]?.mode ?? 'host'
  const strategy = obj(raw['upgradeStrategy'])
  const other: Record<string, unknown> = {...ALWAYS}
  for (const key of PASS_THROUGH) if (raw[key] !== undefined && raw[key] !== null) other[key] = raw[key]
  let app: AppDefinition = {
    id: absoluteId(str(raw['id']) ?? ''),
    instances: num(raw['instances'], 1), cpus: num(raw['cpus'], 1), mem: num(raw['mem'], 128), disk: num(raw['disk'], 0), gpus: num(raw['gpus'], 0),
    labels: labelsOf(raw['labels']),
    networks,
    portDefinitions: mode === 'host' ? portDefinitionsOf(raw) : [],
    requirePorts: raw['requirePorts'] === true,
    healthChecks: arr(raw['healthChecks']).map(healthCheckOf),
    readinessChecks: arr(raw['readinessChecks']).map(readinessCheckOf),
    upgradeStrategy: {minimumHealthCapacity: num(strategy['minimumHealthCapacity'], 1), maximumOverCapacity: num(strategy['maximumOverCapacity'], 1)},
    killSelection: (str(raw['killSelection']) ?? 'YOUNGEST_FIRST') as KillSelection,
    unreachableStrategy: raw['unreachableStrategy'] ?? DEFAULT_UNREACHABLE,
    backoffSeconds: num(raw['backoffSeconds'], 1), backoffFactor: num(raw['backoffFactor'], 1.15), maxLaunchDelaySeconds: num(raw['maxLaunchDelaySeconds'], 3600),
    other,
  }
  app = withOpt(app, 'container', containerOf(raw, mode))
  return withOpt(app, 'taskKillGracePeriodSeconds', typeof raw['taskKillGracePeriodSeconds'] === 'number' ? raw['taskKillGracePeriodSeconds'] : undefined)
}
