/**
 * Deployments (marathon-api §6): plans of steps of actions, executed one step at a time with
 * `deployment_info` → `deployment_step_success` → `deployment_success` (or `deployment_failed`),
 * reconciled against the task state after every change rather than with timers of their own.
 */
import type {Clock} from '../clock.js'
import type {EventBus} from './event-bus.js'
import {isDeploymentReady} from './health.js'
import {selectVictims} from './kill-order.js'
import {isActive, type SimTask, type Store, type StoredApp} from './state.js'
import type {TaskManager} from './tasks.js'

/** Deployment action names (marathon-api §2.8). */
export type ActionName = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication'

/** One action of a step. `scaleTo`/`toKill` only for ScaleApplication. */
export interface Action {
  readonly action: ActionName
  readonly app: string
  readonly scaleTo?: number
  readonly toKill?: readonly string[]
}

/** A plan before it runs. */
export interface Plan {
  readonly id: string
  readonly version: string
  readonly steps: readonly (readonly Action[])[]
  readonly affectedApps: readonly string[]
  /** Each affected app as it was before the change (undefined: it did not exist), for reverts. */
  readonly originals: ReadonlyMap<string, StoredApp | undefined>
}

/** A running deployment. */
export interface Deployment extends Plan {
  /** 1-based index of the current step; 0 before the first one starts (§2.8). */
  currentStep: number
  readonly victims: Set<SimTask>
  /** Apps restarting with one instance of extra capacity (decided when the step starts). */
  readonly extraCapacity: Set<string>
  terminatedPublished: boolean
}

/** The `plan` object of deployment events (light format, marathon-api §7.3). */
export function planJson(p: Plan): Record<string, unknown> {
  return {id: p.id, steps: p.steps.map((actions) => ({actions: actions.map((a) => ({action: a.action, app: a.app}))})), version: p.version}
}

/** Instance bounds of a restart: keep ≥ minHealthy, run ≤ maxCapacity (`upgradeStrategy`, §6). */
function restartLimits(app: StoredApp): {minHealthy: number; maxCapacity: number} {
  const n = app.def.instances
  const {minimumHealthCapacity, maximumOverCapacity} = app.def.upgradeStrategy
  return {minHealthy: Math.ceil(n * minimumHealthCapacity), maxCapacity: Math.floor(n * (1 + maximumOverCapacity))}
}

/** Runs deployments against the store. */
export class DeploymentManager {
  readonly running = new Map<string, Deployment>()

  constructor(private readonly d: {readonly store: Store; readonly tasks: TaskManager; readonly bus: EventBus; readonly clock: Clock}) {}

  /** Running deployments whose plan affects any of `appIds`. */
  conflicting(appIds: readonly string[]): Deployment[] {
    return [...this.running.values()].filter((dep) => dep.affectedApps.some((a) => appIds.includes(a)))
  }

  /** Ids of running deployments affecting `appId` (the app's `deployments`). */
  idsFor(appId: string): string[] {
    const out: string[] = []
    for (const dep of this.running.values()) if (dep.affectedApps.includes(appId)) out.push(dep.id)
    return out
  }

  /** Starts a plan (conflicts already resolved by the caller). */
  start(plan: Plan): Deployment {
    const dep: Deployment = {...plan, currentStep: 0, victims: new Set(), extraCapacity: new Set(), terminatedPublished: false}
    this.running.set(dep.id, dep)
    this.advance(dep)
    return dep
  }

  /** Cancels a deployment: `deployment_failed` with the reason; its tasks stay as they are. */
  cancel(dep: Deployment, reason: string): void {
    if (!this.running.delete(dep.id)) return
    this.d.bus.publish('deployment_failed', {id: dep.id, plan: planJson(dep), reason})
  }

  /** Advances every running deployment as far as the current state allows. */
  reconcile(): void {
    for (const dep of [...this.running.values()]) this.advance(dep)
  }

  private stepPayload(dep: Deployment): Record<string, unknown> {
    const actions = dep.steps[dep.currentStep - 1] ?? []
    return {plan: planJson(dep), currentStep: {actions: actions.map((a) => ({action: a.action, app: a.app}))}}
  }

  private advance(dep: Deployment): void {
    for (let guard = 0; guard <= dep.steps.length + 1 && this.running.has(dep.id); guard++) {
      if (dep.currentStep === 0 || this.stepDone(dep)) {
        if (dep.currentStep > 0) this.d.bus.publish('deployment_step_success', this.stepPayload(dep))
        if (dep.currentStep >= dep.steps.length) {
          this.running.delete(dep.id)
          this.d.bus.publish('deployment_success', {id: dep.id, plan: planJson(dep)})
          return
        }
        dep.currentStep += 1
        dep.victims.clear()
        this.d.bus.publish('deployment_info', this.stepPayload(dep))
        for (const a of dep.steps[dep.currentStep - 1] ?? []) this.init(dep, a)
        continue
      }
      this.drive(dep)
      if (!this.stepDone(dep)) return
    }
  }

  private init(dep: Deployment, a: Action): void {
    const tasks = this.d.store.tasksOf(a.app)
    if (a.action === 'StopApplication') {
      for (const t of tasks) this.kill(dep, t)
    } else if (a.action === 'RestartApplication') {
      const app = this.d.store.apps.get(a.app)
      const limits = app === undefined ? undefined : restartLimits(app)
      // TaskReplaceActor: with no over-capacity at all, one extra instance lets the upgrade start.
      if (limits !== undefined && limits.minHealthy === limits.maxCapacity && limits.maxCapacity <= tasks.filter(isActive).length) dep.extraCapacity.add(a.app)
    } else if (a.action === 'ScaleApplication') {
      const active = tasks.filter(isActive)
      const explicit = new Set(a.toKill ?? [])
      const app = this.d.store.apps.get(a.app)
      const excess = Math.max(active.length - (a.scaleTo ?? 0), active.filter((t) => explicit.has(t.id)).length)
      for (const t of selectVictims(active, excess, app?.def.killSelection ?? 'YOUNGEST_FIRST', explicit)) this.kill(dep, t)
    }
  }

  private kill(dep: Deployment, t: SimTask): void {
    dep.victims.add(t)
    this.d.tasks.kill(t)
  }

  private launch(app: StoredApp, count: number): void {
    if (count <= 0) return
    if (this.d.tasks.launchBlockedFor(app.def.id) > 0) return
    for (let i = 0; i < count; i++) this.d.tasks.launch(app)
  }

  /** Launches and kills what the current step still needs. */
  private drive(dep: Deployment): void {
    for (const a of dep.steps[dep.currentStep - 1] ?? []) {
      const app = this.d.store.apps.get(a.app)
      if (app === undefined) continue
      if (a.action === 'ScaleApplication') {
        this.launch(app, (a.scaleTo ?? 0) - this.d.store.tasksOf(a.app).filter(isActive).length)
      } else if (a.action === 'RestartApplication') {
        this.driveRestart(dep, app)
      }
    }
  }

  /**
   * TaskReplaceActor (marathon-api §6): keep ≥ ceil(minimumHealthCapacity × n) old-or-ready-new
   * instances, run ≤ n × (1 + maximumOverCapacity) at once, kill an old one per new ready one.
   */
  private driveRestart(dep: Deployment, app: StoredApp): void {
    const n = app.def.instances
    const tasks = this.d.store.tasksOf(app.def.id)
    const isNew = (t: SimTask): boolean => t.configVersion === app.lastConfigChangeAt
    const oldAll = tasks.filter((t) => !isNew(t))
    const oldActive = oldAll.filter(isActive)
    const newActive = tasks.filter((t) => isNew(t) && isActive(t))
    const newReady = newActive.filter(isDeploymentReady).length
    const {minHealthy} = restartLimits(app)
    const maxCapacity = restartLimits(app).maxCapacity + (dep.extraCapacity.has(app.def.id) ? 1 : 0)
    const keepOld = Math.max(0, minHealthy - newReady)
    for (const t of selectVictims(oldActive, oldActive.length - keepOld, app.def.killSelection)) this.kill(dep, t)
    this.launch(app, Math.min(n - newActive.length, maxCapacity - oldAll.length - newActive.length))
  }

  private stepDone(dep: Deployment): boolean {
    if (dep.currentStep === 0) return false
    for (const a of dep.steps[dep.currentStep - 1] ?? []) if (!this.actionDone(dep, a)) return false
    return true
  }

  private actionDone(dep: Deployment, a: Action): boolean {
    const tasks = this.d.store.tasksOf(a.app)
    if ([...dep.victims].some((t) => t.appId === a.app && this.d.store.tasks.has(t.id))) return false
    switch (a.action) {
      case 'StartApplication':
        return true
      case 'StopApplication':
        if (tasks.length > 0) return false
        if (!dep.terminatedPublished) {
          dep.terminatedPublished = true
          this.d.bus.publish('app_terminated_event', {appId: a.app})
        }
        return true
      case 'ScaleApplication':
        return tasks.filter(isDeploymentReady).length >= (a.scaleTo ?? 0)
      case 'RestartApplication': {
        const app = this.d.store.apps.get(a.app)
        if (app === undefined) return true
        const fresh = tasks.filter((t) => t.configVersion === app.lastConfigChangeAt)
        return fresh.length === tasks.length && fresh.filter(isDeploymentReady).length >= app.def.instances
      }
    }
  }
}
