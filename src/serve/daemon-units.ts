/**
 * Bisection units over Marathon's raw `/v2/apps` body (issue 4; docs/haproxy.md "Finding bad
 * apps by bisection"): one unit per app, except that apps sharing `HAPROXY_DEPLOYMENT_GROUP`
 * form one unit, because the core merges them into one backend (spec §5.15) and a subset holding
 * only one colour would render a different config. Pure.
 */

/** Apps rendered together: one app, or every app of one deployment group. */
export interface AppUnit {
  /** Ids of the apps of the unit, in Marathon's order (for logs and metrics). */
  readonly appIds: readonly string[]
  /** The raw app objects, as Marathon sent them. */
  readonly apps: readonly unknown[]
  /** Positions of those apps in Marathon's list. */
  readonly indices: readonly number[]
}

function field(app: unknown, name: string): unknown {
  return typeof app === 'object' && app !== null ? (app as Record<string, unknown>)[name] : undefined
}

function deploymentGroup(app: unknown): string | undefined {
  const labels = field(app, 'labels')
  const g = typeof labels === 'object' && labels !== null ? (labels as Record<string, unknown>)['HAPROXY_DEPLOYMENT_GROUP'] : undefined
  return typeof g === 'string' && g !== '' ? g : undefined
}

/** Splits `{"apps": [...]}` into units, in order of each unit's first app. */
export function appUnits(marathon: unknown): AppUnit[] {
  const apps = field(marathon, 'apps')
  if (!Array.isArray(apps)) return []
  type Mutable = {appIds: string[]; apps: unknown[]; indices: number[]}
  const units: Mutable[] = []
  const byGroup = new Map<string, Mutable>()
  for (const [index, app] of apps.entries()) {
    const id = field(app, 'id')
    const appId = typeof id === 'string' ? id : '(no id)'
    const group = deploymentGroup(app)
    const existing = group === undefined ? undefined : byGroup.get(group)
    if (existing !== undefined) {
      existing.appIds.push(appId)
      existing.apps.push(app)
      existing.indices.push(index)
      continue
    }
    const unit = {appIds: [appId], apps: [app], indices: [index]}
    units.push(unit)
    if (group !== undefined) byGroup.set(group, unit)
  }
  return units
}

/** A `/v2/apps` body holding exactly the apps of `units`, in Marathon's order. */
export function bodyOf(units: readonly AppUnit[]): {apps: unknown[]} {
  const picked = units.flatMap((u) => u.apps.map((app, i) => [u.indices[i] ?? 0, app] as const))
  picked.sort((a, b) => a[0] - b[0])
  return {apps: picked.map(([, app]) => app)}
}

/** Stable key of a unit (its first app id), to recognise it in a later resync. */
export function unitKey(unit: AppUnit): string {
  return unit.appIds.join(',')
}
