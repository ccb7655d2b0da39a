/**
 * JSON views of the state for GET answers (marathon-api §4, §5, §2.8): AppInfo with its always-on
 * counts and deployments, tasks, deployments. App JSON is cached per stored app object (stored
 * apps are immutable), which keeps `GET /v2/apps?embed=apps.tasks` fast on large states.
 */
import {appJson} from './app-json.js'
import {servicePorts} from './app-types.js'
import type {Deployment} from './deployments.js'
import type {Engine} from './engine.js'
import {timestamp} from './ids.js'
import {isHealthy, type HealthResult, type SimTask, type StoredApp} from './state.js'

type Json = Record<string, unknown>

/** Which optional AppInfo parts to include (`embed`, §2.1). */
export interface Embed {
  readonly tasks: boolean
  readonly readiness: boolean
  readonly lastTaskFailure: boolean
  readonly taskStats: boolean
}

/** App JSON text without its closing brace, per stored app (stored apps are immutable). */
const appTextCache = new WeakMap<StoredApp, string>()
/** Task JSON text per task, valid while the task's `rev` and its app object are unchanged. */
const taskTextCache = new WeakMap<SimTask, {readonly rev: number; readonly app: StoredApp; readonly text: string}>()

function appOpenText(app: StoredApp): string {
  let text = appTextCache.get(app)
  if (text === undefined) appTextCache.set(app, (text = JSON.stringify(appJson(app.def, app)).slice(0, -1)))
  return text
}

/**
 * A task as `TaskConversion` writes it, as JSON text (the one writer of the task shape; built
 * by hand because the app list renders tens of thousands of them). `servicePorts` are its app's.
 */
export function renderTask(t: SimTask, ports: readonly number[]): string {
  const q = JSON.stringify
  let text = `{"appId":${q(t.appId)},"host":${q(t.host)},"id":${q(t.id)},"ipAddresses":${t.state === 'TASK_STAGING' ? '[]' : q(t.ipAddresses)}`
  text += `,"ports":[${t.ports.join(',')}],"servicePorts":[${ports.join(',')}],"slaveId":${q(t.slaveId)},"state":"${t.state}","stagedAt":"${timestamp(t.stagedAt)}"`
  if (t.startedAt !== undefined) text += `,"startedAt":"${timestamp(t.startedAt)}"`
  text += `,"version":${q(t.version)},"localVolumes":[]`
  const results = t.health.filter((h): h is HealthResult => h !== undefined)
  if (results.length > 0) text += `,"healthCheckResults":${q(results.map((h) => healthJson(h, t.instanceId)))}`
  return `${text}}`
}

function taskText(t: SimTask, app: StoredApp): string {
  const hit = taskTextCache.get(t)
  if (hit !== undefined && hit.rev === t.rev && hit.app === app) return hit.text
  const text = renderTask(t, servicePorts(app.def))
  taskTextCache.set(t, {rev: t.rev, app, text})
  return text
}

function healthJson(h: HealthResult, instanceId: string): Json {
  return {
    alive: h.alive, consecutiveFailures: h.consecutiveFailures, firstSuccess: h.firstSuccess ?? null, lastFailure: h.lastFailure ?? null,
    lastSuccess: h.lastSuccess ?? null, lastFailureCause: h.lastFailureCause ?? null, instanceId,
  }
}

/** A task as a JSON value (for the task lists and kill answers). */
export function taskJson(t: SimTask, ports: readonly number[]): Json {
  return JSON.parse(renderTask(t, ports)) as Json
}

function counts(tasks: readonly SimTask[]): string {
  let staged = 0
  let running = 0
  let healthy = 0
  let unhealthy = 0
  for (const t of tasks) {
    if (t.state === 'TASK_STAGING') staged++
    if (t.state === 'TASK_RUNNING') running++
    if (isHealthy(t)) healthy++
    if (t.health.some((h) => h?.alive === false)) unhealthy++
  }
  return `"tasksStaged":${staged},"tasksRunning":${running},"tasksHealthy":${healthy},"tasksUnhealthy":${unhealthy}`
}

/**
 * AppInfo as JSON text: the app plus counts and deployments (always), and the embedded parts asked
 * for (§2.1). Assembled from cached texts: the app-list answer is the hot path of marathon-lb.
 */
export function appInfoText(engine: Engine, app: StoredApp, embed: Embed): string {
  const tasks = engine.store.tasksOf(app.def.id)
  const deployments = engine.deployments.idsFor(app.def.id).map((id) => ({id}))
  let text = `${appOpenText(app)},${counts(tasks)},"deployments":${JSON.stringify(deployments)}`
  // Readiness results exist only while a deployment of the app runs (§4).
  const readiness = deployments.length === 0 ? [] : tasks.flatMap((t) => (t.state === 'TASK_RUNNING' ? t.readiness : []))
  if (embed.readiness) text += `,"readinessCheckResults":${JSON.stringify(readiness)}`
  if (embed.tasks) text += `,"tasks":[${tasks.map((t) => taskText(t, app)).join(',')}]`
  if (embed.lastTaskFailure && app.lastTaskFailure !== undefined) text += `,"lastTaskFailure":${JSON.stringify(app.lastTaskFailure)}`
  if (embed.taskStats) text += ',"tasksStats":{}'
  return `${text}}`
}

/** The body of `POST /v2/apps` (201): the app, zero counts, its deployment and `"tasks": []` (§2.3). */
export function createdAppJson(app: StoredApp, deploymentId: string): Json {
  const {versionInfo: _v, ...rest} = appJson(app.def, app)
  void _v
  return {...rest, tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, deployments: [{id: deploymentId}], tasks: []}
}

/** A running deployment as `GET /v2/deployments` lists it (§2.8). */
export function deploymentJson(engine: Engine, dep: Deployment): Json {
  const current = dep.steps[dep.currentStep - 1] ?? []
  return {
    id: dep.id, version: dep.version, affectedApps: dep.affectedApps, affectedPods: [],
    steps: dep.steps.map((actions) => ({actions: actions.map((a) => ({action: a.action, app: a.app}))})),
    currentActions: current.map((a) => ({
      action: a.action, app: a.app,
      readinessCheckResults: engine.store.tasksOf(a.app).flatMap((t) => (t.state === 'TASK_RUNNING' ? t.readiness : [])),
    })),
    currentStep: dep.currentStep, totalSteps: dep.steps.length,
  }
}
