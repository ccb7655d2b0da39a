/**
 * The parts of Marathon's apps and tasks that load balancing reads (spec §5.1a, the same set
 * src/model/apps.ts parses). Applied to each app right after it is parsed, so env, cmd,
 * constraints, deployments, task timestamps and the like die young: a 5,000-app state then
 * takes about half the memory. Values of an unexpected type are kept as they are, so the core
 * reports exactly the problems it would report on the full body.
 */

import {shapedParser, type BytesParser, type Shape} from './lb-bytes.js'
import {AppReuse} from './app-reuse.js'
import {readTaskList} from './task-bytes.js'

const PORT_MAPPING: Shape = {keys: ['containerPort', 'servicePort']}

/** spec §5.1a, app side. `ipAddress`, `labels`, `healthChecks` and `versionInfo` stay whole
 * (presence of any `ipAddress` key matters; health checks reach templates as `{healthCheck}`). */
const APP: Shape = {
  keys: ['id', 'labels', 'instances', 'ports', 'portDefinitions', 'ipAddress', 'container', 'networks', 'healthChecks', 'versionInfo', 'tasks'],
  nested: {
    portDefinitions: {keys: ['port']},
    networks: {keys: ['mode']},
    container: {keys: ['docker', 'portMappings'], nested: {docker: {keys: ['network', 'portMappings'], nested: {portMappings: PORT_MAPPING}}, portMappings: PORT_MAPPING}},
    tasks: {
      keys: ['id', 'host', 'ports', 'state', 'ipAddresses', 'healthCheckResults'],
      nested: {ipAddresses: {keys: ['ipAddress']}, healthCheckResults: {keys: ['alive']}},
    },
  },
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function project(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((v) => (isPlainObject(v) ? projectObject(v, shape) : v))
  return isPlainObject(value) ? projectObject(value, shape) : value
}

function projectObject(obj: Record<string, unknown>, shape: Shape): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of shape.keys) {
    if (!Object.hasOwn(obj, k)) continue
    const sub = shape.nested?.[k]
    out[k] = sub === undefined ? obj[k] : project(obj[k], sub)
  }
  return out
}

function reduce(app: unknown): unknown {
  return isPlainObject(app) ? projectObject(app, APP) : app
}

/**
 * `app` reduced to what load balancing reads (non-objects are returned unchanged). Its
 * `fromBytes` does the same from the app's bytes without building the dropped values, for the
 * body stream (src/marathon/apps-stream.ts).
 */
export const keepLbFields: ((app: unknown) => unknown) & {readonly fromBytes: BytesParser} = Object.assign(reduce, {fromBytes: shapedParser(APP)})

/**
 * Like {@link keepLbFields}, except that from bytes each app's `tasks` list is read straight
 * into the model ({@link readTaskList}; src/model/apps.ts takes it as it is). What the daemon and
 * `--dry` fetch with: same model, same problems, about half the work for the largest part of the
 * body.
 */
export const readLbApps: ((app: unknown) => unknown) & {readonly fromBytes: BytesParser} = Object.assign((app: unknown) => reduce(app), {
  fromBytes: shapedParser({...APP, readers: {tasks: readTaskList}}),
})

/**
 * The daemon's reader: {@link readLbApps}, giving back the previous body's value for every app
 * whose load-balancing fields did not change (src/marathon/app-reuse.ts).
 */
export function reusingLbApps(): AppReuse {
  return new AppReuse(readLbApps, APP)
}
