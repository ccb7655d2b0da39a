/**
 * Validation of a normalized app (marathon-api §9): enum values that play-json rejects while
 * reading (`Invalid JSON`, `error.expected.validenumvalue`) and the rules of `AppValidation`
 * (`Object is not valid`). Each error names the offending path.
 */
import type {ErrorDetail} from './api-error.js'
import {networkMode, servicePorts, type AppDefinition} from './app-types.js'
import {ID_SEGMENT_PATTERN, isValidAppId} from './ids.js'

/** Errors found, split by the body Marathon answers them with. */
export interface AppValidation {
  readonly shape: readonly ErrorDetail[]
  readonly invalid: readonly ErrorDetail[]
}

const HEALTH_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'])
const MODES = new Set(['host', 'container/bridge', 'container'])
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'udp,tcp', 'tcp,udp'])
const ENUM = 'error.expected.validenumvalue'

function enumErrors(app: AppDefinition): ErrorDetail[] {
  const out: ErrorDetail[] = []
  if (app.killSelection !== 'YOUNGEST_FIRST' && app.killSelection !== 'OLDEST_FIRST') out.push({path: '/killSelection', errors: [ENUM]})
  app.networks.forEach((n, i) => {
    if (!MODES.has(n.mode)) out.push({path: `/networks(${i})/mode`, errors: [ENUM]})
  })
  app.healthChecks.forEach((h, i) => {
    if (!HEALTH_PROTOCOLS.has(h.protocol)) out.push({path: `/healthChecks(${i})/protocol`, errors: [ENUM]})
  })
  app.portDefinitions.forEach((p, i) => {
    if (!PORT_PROTOCOLS.has(p.protocol)) out.push({path: `/portDefinitions(${i})/protocol`, errors: [ENUM]})
  })
  return out
}

function range(out: ErrorDetail[], path: string, v: number, min: number, max: number): void {
  if (v < min || v > max) out.push({path, errors: [`got ${v}, expected between ${min} and ${max}`]})
}

function networkErrors(app: AppDefinition, out: ErrorDetail[]): void {
  const modes = new Set(app.networks.map((n) => n.mode))
  const single = app.networks.length === 1
  if (modes.size > 1 || (!single && !modes.has('container'))) {
    out.push({path: '/networks', errors: ['must be one host network, one container/bridge network or one or more container networks']})
  }
  if (modes.has('container/bridge') && app.container?.type === 'MESOS' && app.container.docker !== undefined) {
    out.push({path: '/container', errors: ['bridge networking needs a Docker or Mesos container']})
  }
}

function portErrors(app: AppDefinition, out: ErrorDetail[]): void {
  const where = networkMode(app) === 'host' ? '/portDefinitions' : '/container/portMappings'
  const ports = servicePorts(app)
  ports.forEach((p, i) => range(out, `${where}(${i})/${networkMode(app) === 'host' ? 'port' : 'servicePort'}`, p, 0, 65535))
  const fixed = ports.filter((p) => p !== 0)
  if (new Set(fixed).size !== fixed.length) out.push({path: where, errors: ['Port numbers must be unique.']})
  app.container?.portMappings.forEach((m, i) => {
    range(out, `/container/portMappings(${i})/containerPort`, m.containerPort, 0, 65535)
    if (m.hostPort !== undefined) range(out, `/container/portMappings(${i})/hostPort`, m.hostPort, 0, 65535)
  })
  const names = (networkMode(app) === 'host' ? app.portDefinitions : (app.container?.portMappings ?? [])).map((p) => p.name).filter((n) => n !== undefined)
  if (new Set(names).size !== names.length) out.push({path: where, errors: ['Port names must be unique.']})
}

function healthErrors(app: AppDefinition, out: ErrorDetail[]): void {
  const count = servicePorts(app).length
  app.healthChecks.forEach((h, i) => {
    const path = `/healthChecks(${i})`
    if (h.portIndex !== undefined && h.port === undefined && (h.portIndex < 0 || h.portIndex >= count)) {
      out.push({path, errors: ['Health check port indices must address an element of the ports array or container port mappings.']})
    }
    if (h.protocol === 'COMMAND' && h.command === undefined) out.push({path: `${path}/command`, errors: ['is required for COMMAND health checks']})
    if (h.intervalSeconds < 0) out.push({path: `${path}/intervalSeconds`, errors: ['got ' + h.intervalSeconds + ', expected 0 or more']})
  })
  const names = new Set(app.portDefinitions.map((p) => p.name).concat((app.container?.portMappings ?? []).map((m) => m.name)))
  app.readinessChecks.forEach((r, i) => {
    if (!names.has(r.portName)) out.push({path: `/readinessChecks(${i})/portName`, errors: [`Readiness check port name '${r.portName}' is not defined`]})
  })
}

/** Validates a normalized app definition. */
export function validateApp(app: AppDefinition): AppValidation {
  const shape = enumErrors(app)
  const invalid: ErrorDetail[] = []
  if (!isValidAppId(app.id)) invalid.push({path: '/id', errors: [`must fully match regular expression '${ID_SEGMENT_PATTERN}'`]})
  if (app.instances < 0) invalid.push({path: '/instances', errors: [`got ${app.instances}, expected 0 or more`]})
  for (const key of ['cpus', 'mem', 'disk', 'gpus'] as const) if (app[key] < 0) invalid.push({path: `/${key}`, errors: [`got ${app[key]}, expected 0 or more`]})
  const s = app.upgradeStrategy
  for (const key of ['minimumHealthCapacity', 'maximumOverCapacity'] as const) {
    if (s[key] > 1) invalid.push({path: `/upgradeStrategy/${key}`, errors: ['is greater than 1']})
    if (s[key] < 0) invalid.push({path: `/upgradeStrategy/${key}`, errors: ['is less than 0']})
  }
  if (app.taskKillGracePeriodSeconds !== undefined && app.taskKillGracePeriodSeconds < 0) {
    invalid.push({path: '/taskKillGracePeriodSeconds', errors: [`got ${app.taskKillGracePeriodSeconds}, expected 0 or more`]})
  }
  networkErrors(app, invalid)
  portErrors(app, invalid)
  healthErrors(app, invalid)
  return {shape, invalid}
}
