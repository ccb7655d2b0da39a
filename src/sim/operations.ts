/**
 * The write operations of the REST API on top of the {@link Engine} (marathon-api §2.3–2.6, §2.8):
 * create, update/scale, delete, kill tasks, cancel or revert deployments.
 */
import {appJson, canonicalJson} from './app-json.js'
import {readApp} from './app-input.js'
import {ApiError, appNotFound, badRequest} from './api-error.js'
import type {DeploymentResult, Engine} from './engine.js'
import {absoluteId, isParsableTaskId} from './ids.js'
import type {AppChange} from './plan.js'
import {isActive, type SimTask, type StoredApp} from './state.js'

/** Who asked, for `api_post_event` (`clientIp`, `uri`). */
export interface RequestContext {
  readonly clientIp: string
  readonly uri: string
}

function apiPost(engine: Engine, ctx: RequestContext, app: StoredApp): void {
  engine.bus.publish('api_post_event', {clientIp: ctx.clientIp, uri: ctx.uri, appDefinition: appJson(app.def, app)})
}

/** `POST /v2/apps`: 201 with the stored app and its deployment (409 on a duplicate id). */
export function createApp(engine: Engine, body: unknown, force: boolean, ctx: RequestContext): {app: StoredApp; result: DeploymentResult} {
  const def = readApp(body)
  if (engine.store.apps.has(def.id)) throw new ApiError(409, {message: `An app with id [${def.id}] already exists.`})
  const app = engine.stamp(def, undefined)
  const result = engine.commit([{appId: def.id, before: undefined, after: app}], app.version, {force, onAccepted: () => apiPost(engine, ctx, app)})
  return {app, result}
}

/** Options of {@link updateApps}. */
export interface UpdateOptions {
  readonly force: boolean
  readonly partialUpdate: boolean
  /** PATCH: 404 instead of creating a missing app. */
  readonly mustExist: boolean
}

/** `PUT /v2/apps/{id}`, `PUT /v2/apps`, `PATCH /v2/apps/{id}`: one deployment for all bodies. */
export function updateApps(engine: Engine, bodies: readonly {body: unknown; pathId?: string; at?: string}[], opts: UpdateOptions, ctx: RequestContext): {created: boolean; result: DeploymentResult} {
  const version = engine.newVersion()
  const changes: AppChange[] = []
  let created = false
  for (const b of bodies) {
    const rawId = b.pathId ?? (b.body !== null && typeof b.body === 'object' ? (b.body as Record<string, unknown>)['id'] : undefined)
    const id = typeof rawId === 'string' ? absoluteId(rawId) : undefined
    const before = id === undefined ? undefined : engine.store.apps.get(id)
    if (before === undefined && opts.mustExist) throw appNotFound(id ?? '/')
    const readOpts = {...(b.pathId === undefined ? {} : {pathId: absoluteId(b.pathId)}), ...(b.at === undefined ? {} : {at: b.at})}
    const def = readApp(b.body, before !== undefined && opts.partialUpdate ? {...readOpts, existing: before.def} : readOpts)
    created ||= before === undefined
    const after = engine.stamp(def, before, version)
    const unchanged = before !== undefined && canonicalJson(appJson(before.def)) === canonicalJson(appJson(after.def))
    // A PUT that changes nothing gets a deployment without steps and keeps the stored version (§2.4).
    changes.push({appId: def.id, before, after: unchanged ? before : after})
  }
  const accepted = (): void => {
    for (const c of changes) if (c.after !== undefined) apiPost(engine, ctx, c.after)
  }
  return {created, result: engine.commit(changes, version, {force: opts.force, onAccepted: accepted})}
}

/** `DELETE /v2/apps/{id}` (`force` defaults to true here, §2.5). */
export function deleteApp(engine: Engine, id: string, force: boolean): DeploymentResult {
  const appId = absoluteId(id)
  const before = engine.store.apps.get(appId)
  if (before === undefined) throw appNotFound(appId)
  return engine.commit([{appId, before, after: undefined}], engine.newVersion(), {force})
}

/** Options of {@link killTasks}. */
export interface KillOptions {
  readonly scale: boolean
  readonly force: boolean
  readonly wipe: boolean
}

/**
 * `POST /v2/tasks/delete` (§2.6). With `scale`, one deployment lowers each owning app's
 * `instances` by the number of its active tasks killed; without, the tasks are killed and replaced.
 */
export function killTasks(engine: Engine, ids: readonly string[], opts: KillOptions): {tasks: SimTask[]} | DeploymentResult {
  if (opts.scale && opts.wipe) throw badRequest('You cannot use scale and wipe at the same time.')
  const bad = ids.find((id) => !isParsableTaskId(id))
  if (bad !== undefined) throw badRequest(`Invalid task id '${bad}'. [${bad}]`)
  // Tasks of deleted apps are invisible here, as GET /v2/tasks joins tasks with existing apps.
  const found = ids.map((id) => engine.store.tasks.get(id)).filter((t): t is SimTask => t !== undefined && engine.store.apps.has(t.appId))
  if (!opts.scale) {
    for (const t of found) engine.tasks.kill(t)
    return {tasks: found}
  }
  const version = engine.newVersion()
  const byApp = new Map<string, SimTask[]>()
  for (const t of found) byApp.set(t.appId, [...(byApp.get(t.appId) ?? []), t])
  const changes: AppChange[] = [...byApp].map(([appId, tasks]) => {
    const before = engine.store.apps.get(appId) as StoredApp
    const instances = Math.max(0, before.def.instances - tasks.filter(isActive).length)
    const after: StoredApp = {...before, def: {...before.def, instances}, version, lastScalingAt: version}
    return {appId, before, after, toKill: tasks.map((t) => t.id)}
  })
  return engine.commit(changes, version, {force: opts.force})
}

/** `DELETE /v2/deployments/{id}`: revert (200) or, with `force`, cancel (202). */
export function deleteDeployment(engine: Engine, id: string, force: boolean): DeploymentResult | undefined {
  const dep = engine.deployments.running.get(id)
  if (dep === undefined) throw new ApiError(404, {message: `DeploymentPlan ${id} does not exist`})
  if (force) {
    engine.cancelDeployment(dep)
    return undefined
  }
  return engine.revertDeployment(dep)
}
