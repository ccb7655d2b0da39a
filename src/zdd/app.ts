/**
 * Marathon app JSON → {@link ZddApp}, and the deployment labels zdd writes and reads, with
 * exactly marathon-lb's meaning (spec §8.3, §5.15), so mlb zdd and marathon-lb's zdd.py can
 * drive the same load balancers. This is the only zdd module that reads `labels[...]`.
 */
import type {JsonObject, ZddApp, ZddTask} from './state.js'

/** Deployment label names (spec §3.1, §8.3). */
export const LABEL = {
  group: 'HAPROXY_DEPLOYMENT_GROUP',
  altPort: 'HAPROXY_DEPLOYMENT_ALT_PORT',
  colour: 'HAPROXY_DEPLOYMENT_COLOUR',
  startedAt: 'HAPROXY_DEPLOYMENT_STARTED_AT',
  targetInstances: 'HAPROXY_DEPLOYMENT_TARGET_INSTANCES',
  newInstances: 'HAPROXY_DEPLOYMENT_NEW_INSTANCES',
  appId: 'HAPROXY_APP_ID',
  port0: 'HAPROXY_0_PORT',
} as const

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function stringLabels(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isObject(v)) return out
  // Labels are strings in Marathon; numbers appear in hand-written JSON (zdd.py's own tests).
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string' || typeof val === 'number') out[k] = String(val)
  return out
}

function toTask(v: unknown): ZddTask | undefined {
  if (!isObject(v) || typeof v['id'] !== 'string') return undefined
  const ports = Array.isArray(v['ports']) ? v['ports'].filter((p): p is number => typeof p === 'number') : []
  return {id: v['id'], host: typeof v['host'] === 'string' ? v['host'] : '', ports, json: v}
}

/**
 * Reads an app object from Marathon. Returns undefined when it is not an app (no string `id`),
 * so the edge can report garbage with its own error class.
 */
export function toZddApp(v: unknown): ZddApp | undefined {
  if (!isObject(v) || typeof v['id'] !== 'string') return undefined
  const tasks = Array.isArray(v['tasks']) ? v['tasks'].map(toTask).filter((t): t is ZddTask => t !== undefined) : []
  const instances = typeof v['instances'] === 'number' ? v['instances'] : 0
  const deployments = Array.isArray(v['deployments']) ? v['deployments'].length : 0
  return {id: v['id'], instances, labels: stringLabels(v['labels']), tasks, deployments, json: v}
}

/** `HAPROXY_DEPLOYMENT_GROUP` of an app, or undefined. */
export function deploymentGroup(app: {readonly labels: Readonly<Record<string, string>>}): string | undefined {
  return app.labels[LABEL.group]
}

function intLabel(app: ZddApp, name: string): number | undefined {
  const raw = app.labels[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  return Number.isInteger(n) ? n : undefined
}

/** The deployment target: `HAPROXY_DEPLOYMENT_TARGET_INSTANCES`, else the app's instances. */
export function deploymentTarget(app: ZddApp): number {
  return intLabel(app, LABEL.targetInstances) ?? app.instances
}

/** `HAPROXY_DEPLOYMENT_NEW_INSTANCES` (the hybrid split), 0 when absent. */
export function newInstanceCount(app: ZddApp): number {
  return intLabel(app, LABEL.newInstances) ?? 0
}

/** `HAPROXY_DEPLOYMENT_COLOUR`, or undefined. */
export function colourOf(app: ZddApp): string | undefined {
  return app.labels[LABEL.colour]
}

/** `HAPROXY_DEPLOYMENT_STARTED_AT` for ordering; zdd.py sorts a missing one as `"0"`. */
export function startedAtKey(app: ZddApp): string {
  return app.labels[LABEL.startedAt] ?? '0'
}

/** A Marathon deployment affects the app (zdd waits, spec §8.3 swap step 2). */
export function isDeploying(app: ZddApp): boolean {
  return app.deployments > 0
}
