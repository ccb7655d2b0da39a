/**
 * Initial state from a `GET /v2/apps`-shaped document (`{"apps":[...]}`): each app is read like a
 * POST body (422 details carry `/apps(i)` paths), keeps its `version`/`versionInfo`, and in
 * virtual mode keeps the tasks listed with it; otherwise the scheduler launches its instances.
 */
import type {AppDefinition} from './app-types.js'
import {readApp} from './app-input.js'
import {ApiError, invalidJsonShape} from './api-error.js'
import type {Engine} from './engine.js'
import {timestamp} from './ids.js'
import {SLAVE_ID} from './tasks.js'
import type {HealthResult, SimTask, StoredApp, TaskState} from './state.js'

type Raw = Record<string, unknown>

function obj(v: unknown): Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {}
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}
function time(v: unknown, dflt: number): number {
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN
  return Number.isNaN(t) ? dflt : t
}

function healthOf(v: unknown): HealthResult {
  const o = obj(v)
  const h: HealthResult = {alive: o['alive'] === true, consecutiveFailures: typeof o['consecutiveFailures'] === 'number' ? o['consecutiveFailures'] : 0}
  for (const k of ['firstSuccess', 'lastSuccess', 'lastFailure', 'lastFailureCause'] as const) {
    const s = str(o[k])
    if (s !== undefined) h[k] = s
  }
  return h
}

/** A task record from its JSON (virtual mode), owned by `app`. */
function seededTask(json: unknown, app: StoredApp, now: number): SimTask {
  const t = obj(json)
  const id = str(t['id'])
  if (id === undefined) throw invalidJsonShape([{path: '/tasks/id', errors: ['error.path.missing']}])
  const legacy = /^(.*)\.([0-9a-f-]{36})$/.exec(id)
  const instanceId = legacy !== null ? `${legacy[1]}.marathon-${legacy[2]}` : id.replace(/\._app\.\d+$/, '')
  const state = (str(t['state']) ?? 'TASK_RUNNING') as TaskState
  const stagedAt = time(t['stagedAt'], now)
  const host = str(t['host']) ?? '127.0.0.1'
  const ports = Array.isArray(t['ports']) ? (t['ports'] as number[]) : []
  const ips = Array.isArray(t['ipAddresses']) ? (t['ipAddresses'] as {ipAddress: string; protocol: string}[]) : []
  const results = Array.isArray(t['healthCheckResults']) ? t['healthCheckResults'].map(healthOf) : []
  const task: SimTask = {
    id, instanceId, uuid: instanceId.replace(/^.*\.(marathon|instance)-/, ''), incarnation: 1, appId: app.def.id, version: str(t['version']) ?? app.version,
    configVersion: app.lastConfigChangeAt, host, slaveId: str(t['slaveId']) ?? SLAVE_ID, ipAddresses: ips, ports,
    bindings: ports.map((port) => ({ip: host, port})), launchDef: app.def, state, stagedAt, health: app.def.healthChecks.map((_, i) => results[i]),
    readiness: [], killRequested: false, rev: 0,
  }
  if (state === 'TASK_RUNNING' || t['startedAt'] !== undefined) task.startedAt = time(t['startedAt'], stagedAt)
  return task
}

/** Loads apps (and, with `keepTasks`, their tasks) into an engine. Throws {@link ApiError} on bad input. */
export function loadApps(engine: Engine, doc: unknown, keepTasks: boolean): void {
  const list = Array.isArray(doc) ? doc : obj(doc)['apps']
  if (!Array.isArray(list)) throw invalidJsonShape([{path: '/apps', errors: ['error.expected.jsarray']}])
  const now = engine.clock.now()
  list.forEach((body: unknown, i) => {
    const def: AppDefinition = readApp(body, {at: `/apps(${i})`})
    if (engine.store.apps.has(def.id)) throw new ApiError(409, {message: `An app with id [${def.id}] already exists.`})
    const raw = obj(body)
    const version = str(raw['version']) !== undefined ? timestamp(time(raw['version'], now)) : engine.newVersion()
    const info = obj(raw['versionInfo'])
    const stamped = engine.stamp(def, undefined, version)
    const app: StoredApp = {...stamped, lastScalingAt: str(info['lastScalingAt']) ?? version, lastConfigChangeAt: str(info['lastConfigChangeAt']) ?? version}
    engine.store.setApp(app)
    const tasks = Array.isArray(raw['tasks']) ? raw['tasks'] : []
    if (keepTasks) for (const t of tasks) engine.tasks.adopt(seededTask(t, app, now))
    engine.kick(def.id)
  })
}
