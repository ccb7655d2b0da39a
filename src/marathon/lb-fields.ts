/**
 * The fields of Marathon's apps and tasks that load balancing reads (spec §5.1a; the same set
 * src/model/apps.ts parses). Dropping the rest right after each app is parsed keeps a 5,000-app
 * state ~half as big in memory (env, cmd, constraints, deployments, task timestamps… die young).
 */

/** App keys the core reads. */
const APP_FIELDS: ReadonlySet<string> = new Set([
  'id', 'labels', 'instances', 'ports', 'portDefinitions', 'ipAddress', 'container', 'networks', 'healthChecks', 'versionInfo', 'tasks',
])

/** Task keys the core reads. */
const TASK_FIELDS: ReadonlySet<string> = new Set(['id', 'host', 'ports', 'state', 'ipAddresses', 'healthCheckResults'])

function pick(value: unknown, keep: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (keep.has(k)) out[k] = v
  return out
}

/** `app` with only the keys load balancing reads (non-objects are returned unchanged). */
export function keepLbFields(app: unknown): unknown {
  const picked = pick(app, APP_FIELDS)
  const tasks = (picked as {tasks?: unknown} | null)?.tasks
  if (Array.isArray(tasks)) (picked as {tasks: unknown[]}).tasks = tasks.map((t) => pick(t, TASK_FIELDS))
  return picked
}
