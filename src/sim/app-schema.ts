/**
 * Shape check of an app JSON body, as play-json's readers do it before any validation: a value
 * of the wrong JSON type gives `Invalid JSON` with the path and `error.expected.*` (marathon-api §9).
 * `null` counts as absent, as Marathon reads optional fields with `readNullable`.
 */
import type {ErrorDetail} from './api-error.js'

type Kind = 'string' | 'number' | 'int' | 'boolean' | 'object' | 'array' | 'any'

/** A field schema: a kind, or an object/array with nested fields. */
type Schema = Kind | {readonly kind: 'object'; readonly fields?: Fields; readonly values?: Kind} | {readonly kind: 'array'; readonly items: Schema}
type Fields = Readonly<Record<string, Schema>>

const portDefinition: Schema = {kind: 'object', fields: {port: 'int', protocol: 'string', name: 'string', labels: {kind: 'object', values: 'string'}}}
const portMapping: Schema = {
  kind: 'object',
  fields: {containerPort: 'int', hostPort: 'int', servicePort: 'int', protocol: 'string', name: 'string', labels: {kind: 'object', values: 'string'}, networkNames: {kind: 'array', items: 'string'}},
}
const healthCheck: Schema = {
  kind: 'object',
  fields: {
    protocol: 'string', path: 'string', portIndex: 'int', port: 'int', command: 'object', gracePeriodSeconds: 'int',
    intervalSeconds: 'int', timeoutSeconds: 'int', maxConsecutiveFailures: 'int', delaySeconds: 'int', ignoreHttp1xx: 'boolean', ipProtocol: 'string',
  },
}
const readinessCheck: Schema = {
  kind: 'object',
  fields: {
    name: 'string', protocol: 'string', path: 'string', portName: 'string', intervalSeconds: 'int', timeoutSeconds: 'int',
    httpStatusCodesForReady: {kind: 'array', items: 'int'}, preserveLastResponse: 'boolean',
  },
}

/** The App fields the simulator knows, with their JSON types (RAML `v2/types/app.raml`). */
const APP: Fields = {
  id: 'string', cmd: 'string', args: {kind: 'array', items: 'string'}, user: 'string', instances: 'int', cpus: 'number', mem: 'number', disk: 'number', gpus: 'int',
  labels: {kind: 'object', values: 'string'}, env: 'object', constraints: 'array', acceptedResourceRoles: {kind: 'array', items: 'string'},
  ports: {kind: 'array', items: 'int'}, portDefinitions: {kind: 'array', items: portDefinition}, requirePorts: 'boolean',
  container: {
    kind: 'object',
    fields: {
      type: 'string', volumes: 'array', portMappings: {kind: 'array', items: portMapping},
      docker: {kind: 'object', fields: {image: 'string', network: 'string', portMappings: {kind: 'array', items: portMapping}, privileged: 'boolean', forcePullImage: 'boolean', parameters: 'array'}},
    },
  },
  networks: {kind: 'array', items: {kind: 'object', fields: {mode: 'string', name: 'string', labels: {kind: 'object', values: 'string'}}}},
  ipAddress: {kind: 'object', fields: {networkName: 'string', discovery: {kind: 'object', fields: {ports: {kind: 'array', items: {kind: 'object', fields: {number: 'int', name: 'string', protocol: 'string'}}}}}}},
  healthChecks: {kind: 'array', items: healthCheck}, readinessChecks: {kind: 'array', items: readinessCheck},
  upgradeStrategy: {kind: 'object', fields: {minimumHealthCapacity: 'number', maximumOverCapacity: 'number'}},
  killSelection: 'string', unreachableStrategy: 'any', taskKillGracePeriodSeconds: 'int', backoffSeconds: 'number', backoffFactor: 'number',
  maxLaunchDelaySeconds: 'int', executor: 'string', fetch: 'array', dependencies: {kind: 'array', items: 'string'}, secrets: 'object', role: 'string',
  version: 'string', versionInfo: 'object',
}

const EXPECTED: Record<Exclude<Kind, 'any'>, string> = {
  string: 'error.expected.jsstring', number: 'error.expected.jsnumber', int: 'error.expected.jsnumber',
  boolean: 'error.expected.jsboolean', object: 'error.expected.jsobject', array: 'error.expected.jsarray',
}

function kindOf(v: unknown): Kind {
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return 'object'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'number'
  return typeof v === 'string' ? 'string' : 'boolean'
}

function checkKind(value: unknown, want: Kind, path: string, out: ErrorDetail[]): boolean {
  if (want === 'any') return true
  const have = kindOf(value)
  if (have === want || (want === 'number' && have === 'int')) return true
  // play-json: a fractional number where an Int is expected reads as `error.expected.int`.
  out.push({path, errors: [want === 'int' && have === 'number' ? 'error.expected.int' : EXPECTED[want]]})
  return false
}

function check(value: unknown, schema: Schema, path: string, out: ErrorDetail[]): void {
  if (value === null || value === undefined) return
  if (typeof schema === 'string') {
    checkKind(value, schema, path, out)
    return
  }
  if (!checkKind(value, schema.kind, path, out)) return
  if (schema.kind === 'array') {
    ;(value as unknown[]).forEach((item, i) => check(item, schema.items, `${path}(${i})`, out))
    return
  }
  const obj = value as Record<string, unknown>
  for (const [key, v] of Object.entries(obj)) {
    const sub = schema.fields?.[key] ?? schema.values
    if (sub !== undefined) check(v, sub, `${path}/${key}`, out)
  }
}

/** `Invalid JSON` details for an app body of the wrong shape; empty when the shape is fine. */
export function appShapeErrors(body: unknown, path = ''): ErrorDetail[] {
  const out: ErrorDetail[] = []
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    out.push({path, errors: ['error.expected.jsobject']})
    return out
  }
  check(body, {kind: 'object', fields: APP}, path, out)
  return out
}
