/**
 * The start of a zdd run (spec §8.3 "Start"): validate the app JSON, pick colour, service port
 * and instance counts from the previous deploys, and write the deployment labels. Pure: the
 * caller passes the STARTED_AT stamp in.
 */
import {MissingFieldError} from '../errors.js'
import {LABEL, colourOf, deploymentGroup, startedAtKey} from './app.js'
import type {JsonObject, ZddApp} from './state.js'

type Mutable = Record<string, unknown>

function obj(v: unknown): Mutable | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Mutable) : undefined
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function toInt(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined
}

/**
 * Checks what zdd needs in the app JSON: an `id`, `labels`, `HAPROXY_DEPLOYMENT_GROUP` and
 * `HAPROXY_DEPLOYMENT_ALT_PORT`. Throws {@link MissingFieldError} (exit 4) naming the field.
 * (zdd.py crashes with exit 2 on a missing `id`; mlb reports it as the missing field it is.)
 */
export function validateAppJson(json: unknown): JsonObject {
  const app = obj(json)
  if (app === undefined) throw new MissingFieldError('The app definition must be a JSON object', {field: 'id'})
  if (typeof app['id'] !== 'string' || app['id'] === '') throw new MissingFieldError("App doesn't contain a valid App ID", {field: 'id'})
  const labels = obj(app['labels'])
  if (labels === undefined) throw new MissingFieldError('No labels found. Please define the HAPROXY_DEPLOYMENT_GROUP label', {field: 'label'})
  for (const name of [LABEL.group, LABEL.altPort]) {
    if (labels[name] === undefined) throw new MissingFieldError(`Please define the ${name} label`, {field: name})
  }
  if (toInt(labels[LABEL.altPort]) === undefined) throw new MissingFieldError(`${LABEL.altPort} must be a port number`, {field: LABEL.altPort})
  return app
}

function portMappings(app: JsonObject): unknown[] {
  const container = obj(app['container'])
  const docker = list(obj(container?.['docker'])?.['portMappings'])
  return docker.length > 0 ? docker : list(container?.['portMappings'])
}

/**
 * The app's first service port, or undefined: the first port mapping's non-zero `servicePort`
 * (docker list if non-empty, else the container list), else `portDefinitions[0].port` (zdd.py
 * crashes here, spec §10.36), else legacy `ports[0]`.
 */
export function findServicePort(app: JsonObject): number | undefined {
  const mapping = obj(portMappings(app)[0])
  const fromMapping = toInt(mapping?.['servicePort'])
  if (fromMapping !== undefined && fromMapping !== 0) return fromMapping
  const definition = obj(list(app['portDefinitions'])[0])
  const fromDefinition = toInt(definition?.['port'])
  if (fromDefinition !== undefined && fromDefinition !== 0) return fromDefinition
  return toInt(list(app['ports'])[0])
}

/** {@link findServicePort}, or {@link MissingFieldError} (exit 4) when the app has none. */
export function servicePort(app: JsonObject): number {
  const port = findServicePort(app)
  if (port === undefined) throw new MissingFieldError("App doesn't contain a service port", {field: 'container.portMappings'})
  return port
}

/** Sets the first service port in place, where {@link findServicePort} would read it. */
function setServicePort(app: Mutable, port: number): void {
  const mapping = obj(portMappings(app)[0])
  if (mapping !== undefined) {
    mapping['servicePort'] = port
    return
  }
  const definition = obj(list(app['portDefinitions'])[0])
  if (definition !== undefined) definition['port'] = port
  const ports = app['ports']
  if (Array.isArray(ports) && ports.length > 0) ports[0] = port
}

/** The previous deploys sorted oldest first by STARTED_AT (string order, missing = `"0"`; stable). */
export function sortDeploys(apps: readonly ZddApp[]): ZddApp[] {
  return [...apps].sort((a, b) => {
    const ka = startedAtKey(a)
    const kb = startedAtKey(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
}

/** The apps of `group` among Marathon's app list (spec §8.3 start step 2). */
export function previousDeploys(apps: readonly ZddApp[], group: string): ZddApp[] {
  return apps.filter((a) => deploymentGroup(a) === group)
}

/** `green` after a `blue` deploy, `blue` otherwise. */
export function nextColour(last: ZddApp): 'blue' | 'green' {
  return colourOf(last) === 'blue' ? 'green' : 'blue'
}

/**
 * The service port of the next colour: the original port when the last deploy is on the ALT
 * port, else the ALT port. The last deploy's port is read like any app's (port mappings,
 * portDefinitions, ports); zdd.py only looked at legacy `ports` (spec §10.41).
 */
export function nextPort(last: ZddApp, fallbackOriginal: number): number {
  const alt = toInt(last.labels[LABEL.altPort])
  const original = toInt(last.labels[LABEL.port0]) ?? fallbackOriginal
  if (alt === undefined) return original
  return findServicePort(last.json) === alt ? original : alt
}

/** Inputs of {@link prepareNewApp}. */
export interface PrepareInput {
  /** The validated app JSON (from `--json`). */
  readonly json: JsonObject
  /** Apps of the same deployment group (at most one here: more means the resume path). */
  readonly previous: readonly ZddApp[]
  readonly initialInstances: number
  readonly newInstances: number
  /** `HAPROXY_DEPLOYMENT_STARTED_AT` value: local time, ISO 8601, microseconds, no zone. */
  readonly startedAt: string
}

/** The app to create, and the facts the run reports. */
export interface PreparedApp {
  readonly app: JsonObject
  readonly colour: 'blue' | 'green'
  readonly target: number
  /** The deploy being replaced; undefined on a first deploy. */
  readonly last: ZddApp | undefined
}

/** Builds the new colour's app definition (spec §8.3 start step 5). */
export function prepareNewApp(input: PrepareInput): PreparedApp {
  const app = structuredClone(input.json) as Mutable
  const labels = {...(obj(app['labels']) ?? {})}
  const originalPort = servicePort(input.json)
  const last = sortDeploys(input.previous).at(-1)
  let colour: 'blue' | 'green' = 'blue'
  let port = originalPort
  let target = toInt(app['instances']) ?? 1
  if (last !== undefined) {
    colour = nextColour(last)
    port = nextPort(last, originalPort)
    target = last.instances
    const split = Math.min(input.newInstances, target)
    app['instances'] = Math.min(input.initialInstances, split > 0 ? split : target)
    labels[LABEL.newInstances] = String(split)
  } else {
    labels[LABEL.newInstances] = '0'
  }
  const originalId = String(app['id'])
  labels[LABEL.appId] = originalId
  const id = `${originalId}-${colour}`
  app['id'] = id.startsWith('/') ? id : `/${id}`
  labels[LABEL.port0] = String(originalPort)
  labels[LABEL.targetInstances] = String(target)
  labels[LABEL.colour] = colour
  labels[LABEL.startedAt] = input.startedAt
  app['labels'] = labels
  setServicePort(app, port)
  return {app, colour, target, last}
}

/** `HAPROXY_DEPLOYMENT_STARTED_AT` as zdd.py writes it (`datetime.now().isoformat()`). */
export function startedAtStamp(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
  return `${date}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`
}

/** Resume pair (spec §8.3 resume path): the two newest deploys as `{newApp, oldApp}`. */
export function resumePair(previous: readonly ZddApp[], towardsPrevious: boolean): {newApp: ZddApp; oldApp: ZddApp} {
  const sorted = sortDeploys(previous)
  const newest = sorted.at(-1)
  const second = sorted.at(-2)
  if (newest === undefined || second === undefined) throw new Error('resumePair needs two deploys')
  return towardsPrevious ? {newApp: second, oldApp: newest} : {newApp: newest, oldApp: second}
}
