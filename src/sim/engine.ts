/**
 * The simulated Marathon: apps, tasks and deployments driven by a Clock and a task runner, with no
 * HTTP in sight. Every write goes through {@link Engine.commit}, which follows
 * `GroupManagerImpl.updateRootEither` (marathon-api §6 "Acceptance"): deployment limit, plan,
 * lock check (409 unless forced), store, `group_change_success`, deployment.
 */
import {randomUUID} from 'node:crypto'

import type {Clock} from '../clock.js'
import {ApiError, appLocked} from './api-error.js'
import {DeploymentManager, planJson, type Deployment} from './deployments.js'
import {EventBus} from './event-bus.js'
import {HealthMonitor} from './health.js'
import {VersionStamps, type TaskIdStyle} from './ids.js'
import type {TaskRunner} from './runner.js'
import {assignServicePorts, SERVICE_PORT_RANGE, type PortRange} from './service-ports.js'
import {planSteps, type AppChange} from './plan.js'
import {isActive, PortAllocator, Store, type StoredApp} from './state.js'
import {TaskManager, type Timing} from './tasks.js'
import type {AppDefinition} from './app-types.js'

/** Options of {@link Engine}. */
export interface EngineOptions {
  readonly clock: Clock
  readonly runner: TaskRunner
  readonly timing: Timing
  readonly taskPorts: {readonly min: number; readonly max: number}
  /** Range `0` service ports are assigned from (default Marathon's 10000–20000). */
  readonly servicePorts?: PortRange
  readonly idStyle: TaskIdStyle
  /** `--max_running_deployments` (default 100). */
  readonly maxRunningDeployments?: number
}

/** Result of a deployable write: `{version, deploymentId}` (marathon-api §2.4). */
export interface DeploymentResult {
  readonly version: string
  readonly deploymentId: string
}

/** Options of {@link Engine.commit}. */
export interface CommitOptions {
  readonly force: boolean
  /** Published once the change is accepted, before it is stored (e.g. `api_post_event`). */
  readonly onAccepted?: () => void
}

/** State machine of one simulated Marathon cluster (shared by leader and standby instances). */
export class Engine {
  readonly store = new Store()
  readonly bus: EventBus
  readonly tasks: TaskManager
  readonly deployments: DeploymentManager
  readonly clock: Clock
  readonly runner: TaskRunner
  private readonly stamps = new VersionStamps()
  private readonly dirty = new Set<string>()
  private scheduled = false
  private stopped = false
  private readonly maxRunning: number
  private readonly servicePorts: PortRange

  constructor(opts: EngineOptions) {
    this.clock = opts.clock
    this.runner = opts.runner
    this.maxRunning = opts.maxRunningDeployments ?? 100
    this.servicePorts = opts.servicePorts ?? SERVICE_PORT_RANGE
    this.bus = new EventBus(opts.clock)
    const onChange = (appId: string): void => this.kick(appId)
    this.tasks = new TaskManager({store: this.store, runner: opts.runner, bus: this.bus, clock: opts.clock, timing: opts.timing, ports: new PortAllocator(opts.taskPorts.min, opts.taskPorts.max), idStyle: opts.idStyle, onChange})
    this.tasks.health = new HealthMonitor({runner: opts.runner, bus: this.bus, clock: opts.clock, timing: opts.timing, kill: (t) => this.tasks.kill(t), onChange})
    this.deployments = new DeploymentManager({store: this.store, tasks: this.tasks, bus: this.bus, clock: opts.clock})
  }

  /** A fresh app version timestamp. */
  newVersion(): string {
    return this.stamps.next(this.clock.now())
  }

  /** Stamps a definition as a new version of `before` (scale-only keeps `lastConfigChangeAt`, §2.4). */
  stamp(def: AppDefinition, before: StoredApp | undefined, version = this.newVersion()): StoredApp {
    const taken = this.store.servicePortTakenExcept(def.id)
    const assigned = assignServicePorts(def, before?.def, taken, this.servicePorts)
    const draft: StoredApp = {def: assigned, version, lastScalingAt: version, lastConfigChangeAt: version}
    if (before !== undefined && planSteps([{appId: def.id, before, after: draft}]).every((s) => s.every((a) => a.action !== 'RestartApplication'))) {
      return {...draft, lastConfigChangeAt: before.lastConfigChangeAt}
    }
    return draft
  }

  /** Applies a set of app changes as one deployment. Throws 403/409 {@link ApiError}s. */
  commit(changes: readonly AppChange[], version: string, opts: CommitOptions): DeploymentResult {
    if (this.deployments.running.size >= this.maxRunning) {
      throw new ApiError(403, {message: `Max number (${this.maxRunning}) of running deployments is achieved. Wait for existing deployments to complete.`})
    }
    const steps = planSteps(changes)
    const affectedApps = [...new Set(steps.flat().map((a) => a.app))]
    const plan = {id: randomUUID(), version, steps, affectedApps, originals: new Map(changes.map((c) => [c.appId, c.before] as const))}
    const conflicts = this.deployments.conflicting(affectedApps)
    if (conflicts.length > 0 && !opts.force) {
      const locked = appLocked(conflicts.map((c) => c.id))
      this.bus.publish('group_change_failed', {groupId: '/', version, reason: locked.message})
      this.bus.publish('deployment_failed', {id: plan.id, plan: planJson(plan), reason: locked.message})
      throw locked
    }
    for (const c of conflicts) this.cancelDeployment(c)
    opts.onAccepted?.()
    for (const c of changes) {
      if (c.after === undefined) this.store.deleteApp(c.appId)
      else this.store.setApp(c.after)
      if (c.after === undefined || c.before?.lastConfigChangeAt !== c.after.lastConfigChangeAt) this.tasks.resetBackoff(c.appId)
    }
    this.bus.publish('group_change_success', {groupId: '/', version})
    this.deployments.start(plan)
    return {version, deploymentId: plan.id}
  }

  /** Cancels a running deployment (`DELETE /v2/deployments/{id}?force=true`). */
  cancelDeployment(dep: Deployment): void {
    this.deployments.cancel(dep, 'The upgrade has been cancelled')
    // Instances the cancelled plan did not launch are still wanted: the scheduler launches them.
    for (const appId of dep.affectedApps) this.kick(appId)
  }

  /** Reverts a running deployment with a forced deployment back to the original apps (§2.8). */
  revertDeployment(dep: Deployment): DeploymentResult {
    const version = this.newVersion()
    const changes: AppChange[] = dep.affectedApps.map((appId) => {
      const original = dep.originals.get(appId)
      const current = this.store.apps.get(appId)
      return {appId, before: current, after: original === undefined ? undefined : this.stamp(original.def, current, version)}
    })
    return this.commit(changes, version, {force: true})
  }

  /** Marks an app as changed and schedules a reconcile (coalesced). */
  kick(appId?: string): void {
    if (appId !== undefined) this.dirty.add(appId)
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    this.clock.timer(0, () => {
      this.scheduled = false
      this.reconcile()
    })
  }

  /** The scheduler: keeps apps without a deployment at their instance count, then drives deployments. */
  private reconcile(): void {
    if (this.stopped) return
    const apps = [...this.dirty]
    this.dirty.clear()
    for (const appId of apps) {
      const app = this.store.apps.get(appId)
      if (app === undefined || this.deployments.idsFor(appId).length > 0) continue
      const missing = app.def.instances - this.store.tasksOf(appId).filter(isActive).length
      if (missing > 0 && this.tasks.launchBlockedFor(appId) === 0) for (let i = 0; i < missing; i++) this.tasks.launch(app)
    }
    this.deployments.reconcile()
  }

  /** Stops scheduling and ends every task process. */
  async shutdown(): Promise<void> {
    this.stopped = true
    for (const t of this.store.tasks.values()) this.tasks.health.stopped(t)
    await this.runner.stopAll()
  }
}
