/**
 * The simulator's stored state: apps (with their version stamps) and tasks. Plain data plus
 * lookups; transitions live in `tasks.ts`, `health.ts` and `deployments.ts`.
 */
import {servicePorts, type AppDefinition} from './app-types.js'
import type {Binding} from './runner.js'

/** Mesos task states the simulator produces (marathon-api §5). */
export type TaskState =
  | 'TASK_STAGING' | 'TASK_STARTING' | 'TASK_RUNNING' | 'TASK_KILLING' | 'TASK_KILLED' | 'TASK_FAILED' | 'TASK_FINISHED' | 'TASK_UNREACHABLE'

/** Terminal states: the task is expunged right after reporting one. */
export const TERMINAL: ReadonlySet<TaskState> = new Set(['TASK_KILLED', 'TASK_FAILED', 'TASK_FINISHED'])

/** One health check's result for a task (`Health`, marathon-api §5). */
export interface HealthResult {
  alive: boolean
  consecutiveFailures: number
  firstSuccess?: string
  lastSuccess?: string
  lastFailure?: string
  lastFailureCause?: string
}

/** One readiness check's result for a task (marathon-api §4 `readinessCheckResults`). */
export interface ReadinessResult {
  readonly name: string
  readonly taskId: string
  ready: boolean
  lastResponse?: {readonly status: number; readonly contentType: string; readonly body: string}
}

/** A task (one incarnation of an instance). */
export interface SimTask {
  readonly id: string
  readonly instanceId: string
  readonly uuid: string
  readonly incarnation: number
  readonly appId: string
  /** App version the task was launched with. */
  readonly version: string
  /** `lastConfigChangeAt` of that version: tasks with another one are replaced on restart. */
  readonly configVersion: string
  readonly host: string
  readonly slaveId: string
  readonly ipAddresses: readonly {readonly ipAddress: string; readonly protocol: string}[]
  readonly ports: readonly number[]
  readonly bindings: readonly Binding[]
  readonly launchDef: AppDefinition
  state: TaskState
  stagedAt: number
  startedAt?: number
  /** Per health check (index as in the app), undefined until the first counted result. */
  health: (HealthResult | undefined)[]
  readiness: ReadinessResult[]
  killRequested: boolean
  /** Bumped on every change that shows in the task's JSON (views cache the text per revision). */
  rev: number
}

/** `lastTaskFailure` of an app (marathon-api §4). */
export interface TaskFailure {
  readonly appId: string
  readonly host: string
  readonly message: string
  readonly state: string
  readonly taskId: string
  readonly timestamp: string
  readonly version: string
  readonly slaveId: string
}

/** An app with its version stamps. */
export interface StoredApp {
  readonly def: AppDefinition
  readonly version: string
  readonly lastScalingAt: string
  readonly lastConfigChangeAt: string
  readonly lastTaskFailure?: TaskFailure
}

/** True while the task counts toward the app's instances (not terminal, not being killed). */
export function isActive(t: SimTask): boolean {
  return !t.killRequested && !TERMINAL.has(t.state) && t.state !== 'TASK_KILLING'
}

/** True when every health check has a result and all are alive (`tasksHealthy`, §4). */
export function isHealthy(t: SimTask): boolean {
  return t.health.length > 0 && t.health.every((h) => h?.alive === true)
}

/** Apps and tasks, shared by every simulator instance of one cluster. */
export class Store {
  private readonly appMap = new Map<string, StoredApp>()
  readonly tasks = new Map<string, SimTask>()
  private readonly byApp = new Map<string, Set<SimTask>>()
  /** Service port → number of apps using it, kept up to date for port assignment. */
  private readonly portUse = new Map<number, number>()

  /** Apps by id (write through {@link setApp} and {@link deleteApp}). */
  get apps(): ReadonlyMap<string, StoredApp> {
    return this.appMap
  }

  private countPorts(app: StoredApp | undefined, delta: number): void {
    if (app === undefined) return
    for (const p of servicePorts(app.def)) {
      const n = (this.portUse.get(p) ?? 0) + delta
      if (n <= 0) this.portUse.delete(p)
      else this.portUse.set(p, n)
    }
  }

  /** Stores (or replaces) an app. */
  setApp(app: StoredApp): void {
    this.countPorts(this.appMap.get(app.def.id), -1)
    this.appMap.set(app.def.id, app)
    this.countPorts(app, 1)
  }

  /** Removes an app. */
  deleteApp(appId: string): void {
    this.countPorts(this.appMap.get(appId), -1)
    this.appMap.delete(appId)
  }

  /** Tasks of an app, in launch order. */
  tasksOf(appId: string): SimTask[] {
    return [...(this.byApp.get(appId) ?? [])]
  }

  addTask(t: SimTask): void {
    this.tasks.set(t.id, t)
    let set = this.byApp.get(t.appId)
    if (set === undefined) this.byApp.set(t.appId, (set = new Set()))
    set.add(t)
  }

  removeTask(t: SimTask): void {
    this.tasks.delete(t.id)
    const set = this.byApp.get(t.appId)
    set?.delete(t)
    if (set?.size === 0) this.byApp.delete(t.appId)
  }

  /** Whether a service port is used by an app other than `appId` (for service-port assignment). */
  servicePortTakenExcept(appId: string): (port: number) => boolean {
    const own = this.appMap.get(appId)
    const mine = new Set(own === undefined ? [] : servicePorts(own.def))
    return (p) => (this.portUse.get(p) ?? 0) > (mine.has(p) ? 1 : 0)
  }
}

/**
 * Host ports for tasks from a range, starting at a random offset so that simulators running side
 * by side rarely pick the same port. A port another process holds makes the task fail to bind;
 * it then fails (TASK_FAILED) and is relaunched on another port, as on a real agent.
 */
export class PortAllocator {
  private readonly used = new Set<number>()
  private cursor: number

  constructor(readonly min: number, readonly max: number) {
    this.cursor = min + Math.floor(Math.random() * (max - min + 1))
  }

  /** `count` free ports; throws when the range is exhausted. */
  take(count: number): number[] {
    const out: number[] = []
    const size = this.max - this.min + 1
    for (let tries = 0; out.length < count && tries < size; tries++) {
      const p = this.cursor
      this.cursor = p >= this.max ? this.min : p + 1
      if (!this.used.has(p)) {
        this.used.add(p)
        out.push(p)
      }
    }
    if (out.length < count) {
      this.release(out)
      throw new Error(`no free task port left in ${this.min}-${this.max}`)
    }
    return out
  }

  /** Marks fixed ports (requirePorts, fixed hostPort) as used. */
  claim(ports: readonly number[]): void {
    for (const p of ports) this.used.add(p)
  }

  release(ports: readonly number[]): void {
    for (const p of ports) this.used.delete(p)
  }
}
