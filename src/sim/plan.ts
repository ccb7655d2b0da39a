/**
 * Plan construction (marathon-api §6): removed apps → StopApplication, new apps →
 * StartApplication then ScaleApplication, scale-only changes → ScaleApplication, any other
 * change → RestartApplication. Empty steps are dropped.
 */
import {configKey} from './app-json.js'
import type {Action} from './deployments.js'
import type {StoredApp} from './state.js'

/** One app's change: `before`/`after` undefined for a create/delete. `toKill` for kill-and-scale. */
export interface AppChange {
  readonly appId: string
  readonly before: StoredApp | undefined
  readonly after: StoredApp | undefined
  readonly toKill?: readonly string[]
}

/** True when only `instances` differs between two versions of an app. */
export function isScaleOnly(before: StoredApp, after: StoredApp): boolean {
  return configKey(before.def) === configKey(after.def)
}

/** The steps of a plan for a set of changes. */
export function planSteps(changes: readonly AppChange[]): Action[][] {
  const stops: Action[] = []
  const starts: Action[] = []
  const rest: Action[] = []
  for (const c of changes) {
    if (c.after === undefined) {
      if (c.before !== undefined) stops.push({action: 'StopApplication', app: c.appId})
    } else if (c.before === undefined) {
      starts.push({action: 'StartApplication', app: c.appId})
      rest.push({action: 'ScaleApplication', app: c.appId, scaleTo: c.after.def.instances})
    } else if (!isScaleOnly(c.before, c.after)) {
      rest.push({action: 'RestartApplication', app: c.appId})
    } else if (c.before.def.instances !== c.after.def.instances || (c.toKill?.length ?? 0) > 0) {
      const action: Action = {action: 'ScaleApplication', app: c.appId, scaleTo: c.after.def.instances}
      rest.push(c.toKill === undefined ? action : {...action, toKill: c.toKill})
    }
  }
  return [stops, starts, rest].filter((s) => s.length > 0)
}
