/**
 * Writes a stored app as Marathon 1.5–1.9 JSON (`raml/AppConversion.scala#appWriter`): the 1.5
 * networking shape, every default echoed, `portDefinitions` only under host networking and
 * `container.portMappings` only otherwise (marathon-api §3).
 */
import {networkMode, type AppDefinition, type ContainerDef, type HealthCheckDef, type PortMapping} from './app-types.js'

/** The version stamps of a stored app. */
export interface VersionInfo {
  readonly version: string
  readonly lastScalingAt: string
  readonly lastConfigChangeAt: string
}

type Json = Record<string, unknown>

function mappingJson(m: PortMapping): Json {
  const out: Json = {containerPort: m.containerPort}
  if (m.hostPort !== undefined) out['hostPort'] = m.hostPort
  out['labels'] = m.labels
  if (m.name !== undefined) out['name'] = m.name
  if (m.networkNames !== undefined) out['networkNames'] = m.networkNames
  out['protocol'] = m.protocol
  out['servicePort'] = m.servicePort
  return out
}

function containerJson(c: ContainerDef, withMappings: boolean): Json {
  const out: Json = {type: c.type}
  if (c.docker !== undefined) out['docker'] = c.docker
  Object.assign(out, c.rest)
  out['volumes'] = c.volumes
  if (withMappings) out['portMappings'] = c.portMappings.map(mappingJson)
  return out
}

/** A health check as `HealthCheckConversion.appHealthCheckWrites` writes it. */
export function healthCheckJson(h: HealthCheckDef): Json {
  const out: Json = {gracePeriodSeconds: h.gracePeriodSeconds, intervalSeconds: h.intervalSeconds, maxConsecutiveFailures: h.maxConsecutiveFailures}
  if (h.path !== undefined) out['path'] = h.path
  if (h.portIndex !== undefined) out['portIndex'] = h.portIndex
  if (h.port !== undefined) out['port'] = h.port
  if (h.command !== undefined) out['command'] = h.command
  out['protocol'] = h.protocol
  out['timeoutSeconds'] = h.timeoutSeconds
  out['delaySeconds'] = h.delaySeconds
  if (h.ignoreHttp1xx !== undefined) out['ignoreHttp1xx'] = h.ignoreHttp1xx
  out['ipProtocol'] = h.ipProtocol
  return out
}

/** The app definition as GET echoes it (without the AppInfo fields). `versions` omitted → no stamps. */
export function appJson(app: AppDefinition, versions?: VersionInfo): Json {
  const o = app.other
  const out: Json = {id: app.id}
  if (o['acceptedResourceRoles'] !== undefined) out['acceptedResourceRoles'] = o['acceptedResourceRoles']
  if (o['args'] !== undefined) out['args'] = o['args']
  out['backoffFactor'] = app.backoffFactor
  out['backoffSeconds'] = app.backoffSeconds
  if (o['cmd'] !== undefined) out['cmd'] = o['cmd']
  out['constraints'] = o['constraints']
  if (app.container !== undefined) out['container'] = containerJson(app.container, networkMode(app) !== 'host')
  out['cpus'] = app.cpus
  out['dependencies'] = o['dependencies']
  out['disk'] = app.disk
  out['env'] = o['env']
  out['executor'] = o['executor']
  out['fetch'] = o['fetch']
  out['healthChecks'] = app.healthChecks.map(healthCheckJson)
  out['instances'] = app.instances
  out['labels'] = app.labels
  out['maxLaunchDelaySeconds'] = app.maxLaunchDelaySeconds
  out['mem'] = app.mem
  out['gpus'] = app.gpus
  out['networks'] = app.networks
  if (networkMode(app) === 'host') out['portDefinitions'] = app.portDefinitions
  if (app.readinessChecks.length > 0) out['readinessChecks'] = app.readinessChecks
  out['requirePorts'] = app.requirePorts
  if (o['role'] !== undefined) out['role'] = o['role']
  out['secrets'] = o['secrets']
  if (app.taskKillGracePeriodSeconds !== undefined) out['taskKillGracePeriodSeconds'] = app.taskKillGracePeriodSeconds
  out['upgradeStrategy'] = app.upgradeStrategy
  if (o['user'] !== undefined) out['user'] = o['user']
  if (versions !== undefined) {
    out['version'] = versions.version
    out['versionInfo'] = {lastScalingAt: versions.lastScalingAt, lastConfigChangeAt: versions.lastConfigChangeAt}
  }
  out['killSelection'] = app.killSelection
  out['unreachableStrategy'] = app.unreachableStrategy
  return out
}

/** JSON text with object keys sorted, so that equal values give equal texts. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}

/** Canonical text of everything but `instances`: equal texts mean a scale-only change (§2.4). */
export function configKey(app: AppDefinition): string {
  return canonicalJson({...appJson(app), instances: 0})
}
