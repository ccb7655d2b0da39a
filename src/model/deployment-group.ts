/**
 * Blue/green merge of apps sharing `HAPROXY_DEPLOYMENT_GROUP` (spec §5.15), and the rule that
 * decides which old-colour tasks drain. Shared with `mlb zdd` through `drainCount`.
 * Pure: returns new app objects (marathon-lb mutates its input, spec §10.22; mlb does not, so a
 * rebuild never duplicates tasks).
 */
import {EARLIEST, parseDeploymentTime} from './deployment-time.js'
import {parsePyInt} from './py-int.js'
import type {App, Task} from './types.js'

const GROUP = 'HAPROXY_DEPLOYMENT_GROUP'
const STARTED_AT = 'HAPROXY_DEPLOYMENT_STARTED_AT'
const NEW_INSTANCES = 'HAPROXY_DEPLOYMENT_NEW_INSTANCES'
const TARGET = 'HAPROXY_DEPLOYMENT_TARGET_INSTANCES'

/** An app left out of the merge, and why. */
export interface MergeProblem {
  readonly appId: string
  readonly label: string
  readonly reason: string
}

/** Processed apps: pass-through apps first, then one merged app per group (first-seen order). */
export interface MergeResult {
  readonly apps: readonly App[]
  readonly problems: readonly MergeProblem[]
}

/** The group id of an app (`/` added when missing), or undefined without the label. */
export function deploymentGroupId(app: App): string | undefined {
  const g = app.labels[GROUP]
  if (g === undefined) return undefined
  return g.startsWith('/') ? g : `/${g}`
}

/**
 * spec §5.15: how many old tasks drain. `healthyNew` new tasks can take over, `oldInstances`
 * old ones run, the deployment aims at `target`.
 */
export function drainCount(oldTaskCount: number, healthyNew: number, oldInstances: number, target: number): number {
  const maxDrainable = Math.max(0, healthyNew + oldInstances - target)
  return Math.max(0, Math.min(oldTaskCount, healthyNew, maxDrainable))
}

/** Is a task reported alive by at least one health-check result? */
export function isTaskAlive(task: Task): boolean {
  return task.alive === true
}

/** Merges deployment groups over the app list in Marathon's order. */
export function mergeDeploymentGroups(apps: readonly App[]): MergeResult {
  const passThrough: App[] = []
  const groups = new Map<string, App>()
  const problems: MergeProblem[] = []
  for (const app of apps) {
    const gid = deploymentGroupId(app)
    if (gid === undefined) {
      passThrough.push(app)
      continue
    }
    const problem = validate(app, gid)
    if (problem !== undefined) {
      problems.push(problem)
      continue
    }
    const cur: App = {...app, id: gid}
    const prev = groups.get(gid)
    if (prev === undefined) {
      groups.set(gid, cur)
      continue
    }
    const merged = mergePair(prev, cur)
    if ('problem' in merged) problems.push(merged.problem)
    else groups.set(gid, merged.app)
  }
  return {apps: [...passThrough, ...groups.values()], problems}
}

function validate(app: App, gid: string): MergeProblem | undefined {
  if (gid === '/') return {appId: app.id, label: GROUP, reason: 'empty deployment group'}
  const started = app.labels[STARTED_AT]
  if (started !== undefined && parseDeploymentTime(started) === undefined) {
    return {appId: app.id, label: STARTED_AT, reason: `not an ISO 8601 timestamp: ${JSON.stringify(started)}`}
  }
  return undefined
}

function startedAt(app: App): number {
  const s = app.labels[STARTED_AT]
  return s === undefined ? EARLIEST : (parseDeploymentTime(s) as number)
}

function mergePair(prev: App, cur: App): {app: App} | {problem: MergeProblem} {
  let [oldApp, newApp] = startedAt(prev) < startedAt(cur) ? [prev, cur] : [cur, prev]
  let target = 1
  // spec §10.19: mere presence of NEW_INSTANCES (even "0") selects this path.
  if (newApp.labels[NEW_INSTANCES] !== undefined) {
    if ((oldApp.lastScalingAt ?? '') > (newApp.lastScalingAt ?? '')) [oldApp, newApp] = [newApp, oldApp]
    const raw = newApp.labels[TARGET]
    const parsed = raw === undefined ? undefined : parsePyInt(raw)
    if (parsed === undefined) {
      return {problem: {appId: cur.id, label: TARGET, reason: `colour not merged: needs an integer ${TARGET} on the newer colour, got ${JSON.stringify(raw ?? null)}`}}
    }
    target = parsed
  }
  // spec §10.21: the app being processed decides whether health results count.
  const healthyNew = cur.healthChecks.length > 0 ? newApp.tasks.filter(isTaskAlive).length : newApp.instances
  const oldTasks = [...oldApp.tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const k = drainCount(oldTasks.length, healthyNew, oldApp.instances, target)
  const drained = oldTasks.map((t, i) => (i < k && !t.draining ? {...t, draining: true} : t))
  return {app: {...oldApp, tasks: [...drained, ...newApp.tasks]}}
}
