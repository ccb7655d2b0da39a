/**
 * Task lifecycle (marathon-api §6): STAGING → STARTING → RUNNING, kill (KILLING → KILLED),
 * crash (FAILED), each transition published as `status_update_event` + `instance_changed_event`;
 * terminal tasks are expunged at once and failed instances are relaunched by the scheduler.
 */
import {randomUUID} from 'node:crypto'

import type {Clock} from '../clock.js'
import {networkMode, type AppDefinition} from './app-types.js'
import type {EventBus} from './event-bus.js'
import {taskIdsFor, timestamp, type TaskIdStyle} from './ids.js'
import type {Binding, TaskControl, TaskExit, TaskRunner} from './runner.js'
import {PortAllocator, type SimTask, type StoredApp, type TaskState, type Store} from './state.js'

/** Simulated durations. `timeScale` multiplies every duration an app declares in seconds. */
export interface Timing {
  /** Time in TASK_STAGING before the process starts. */
  readonly stagingMs: number
  /** Minimum time in TASK_STARTING (the process must also be listening). */
  readonly startingMs: number
  readonly timeScale: number
}

/** Hooks the task manager calls on the health module. */
export interface HealthHooks {
  started(task: SimTask): void
  stopped(task: SimTask): void
}

/** Dependencies of {@link TaskManager}. */
export interface TaskManagerDeps {
  readonly store: Store
  readonly runner: TaskRunner
  readonly bus: EventBus
  readonly clock: Clock
  readonly timing: Timing
  readonly ports: PortAllocator
  readonly idStyle: TaskIdStyle
  /** Called after every state change (the engine reconciles deployments). */
  readonly onChange: (appId: string) => void
}

const CONDITION: Record<TaskState, string> = {
  TASK_STAGING: 'Staging', TASK_STARTING: 'Starting', TASK_RUNNING: 'Running', TASK_KILLING: 'Killing',
  TASK_KILLED: 'Killed', TASK_FAILED: 'Failed', TASK_FINISHED: 'Finished', TASK_UNREACHABLE: 'Unreachable',
}

/** Agent id of the one simulated agent. */
export const SLAVE_ID = 'b5ac2a1b-0000-4c6e-9f3f-5e7a1a5f0001-S0'

/** Loopback address per container-network task, from 127.16.0.0/12 at a random offset. */
class IpPool {
  private n = Math.floor(Math.random() * 0xf0000)
  next(): string {
    this.n = (this.n + 1) % 0xfffff || 1
    return `127.${16 + (this.n >> 16)}.${(this.n >> 8) & 0xff}.${this.n & 0xff || 1}`
  }
}

/** Starts, kills and tracks tasks. */
export class TaskManager {
  health: HealthHooks = {started: () => {}, stopped: () => {}}
  private readonly ips = new IpPool()
  /** Failed instances waiting for their next incarnation, per app. */
  private readonly relaunch = new Map<string, {uuid: string; incarnation: number}[]>()
  /** Launch backoff after failures, per app (`backoffSeconds × backoffFactor^n`, §3). */
  private readonly backoff = new Map<string, {count: number; until: number}>()

  constructor(private readonly d: TaskManagerDeps) {}

  private ms(seconds: number): number {
    return seconds * 1000 * this.d.timing.timeScale
  }

  private hostPorts(app: AppDefinition): number[] {
    const fixed: number[] = []
    const wanted: (number | undefined)[] =
      networkMode(app) === 'host'
        ? app.portDefinitions.map((p) => (app.requirePorts ? p.port : 0))
        : (app.container?.portMappings ?? []).map((m) => m.hostPort)
    for (const p of wanted) if (p !== undefined && p !== 0) fixed.push(p)
    this.d.ports.claim(fixed)
    const dynamic = this.d.ports.take(wanted.filter((p) => p === 0).length)
    return wanted.filter((p) => p !== undefined).map((p) => (p === 0 ? (dynamic.shift() as number) : p))
  }

  private bindings(app: AppDefinition, ports: readonly number[], ip: string): Binding[] {
    const out: Binding[] = ports.map((port) => ({ip: '127.0.0.1', port}))
    if (networkMode(app) === 'container') {
      // IP-per-task: marathon-lb connects to ipAddresses[0] + containerPort (marathon-api §3.2).
      let hostIndex = 0
      for (const m of app.container?.portMappings ?? []) {
        const hostPort = m.hostPort === undefined ? undefined : ports[hostIndex++]
        const port = m.containerPort !== 0 ? m.containerPort : hostPort
        if (port !== undefined) out.push({ip, port})
      }
    }
    return out
  }

  /** Launches one new task of `app` (STAGING). */
  launch(app: StoredApp): SimTask {
    const def = app.def
    const reuse = this.relaunch.get(def.id)?.shift()
    const ids = taskIdsFor(def.id, this.d.idStyle, this.d.idStyle === 'instance' ? (reuse?.uuid ?? randomUUID()) : randomUUID(), reuse?.incarnation ?? 1)
    const ports = this.hostPorts(def)
    const ip = networkMode(def) === 'container' ? this.ips.next() : '127.0.0.1'
    const task: SimTask = {
      id: ids.taskId, instanceId: ids.instanceId, uuid: ids.instanceId.split(/\.(instance|marathon)-/).pop() ?? '', incarnation: reuse?.incarnation ?? 1,
      appId: def.id, version: app.version, configVersion: app.lastConfigChangeAt, host: '127.0.0.1', slaveId: SLAVE_ID,
      ipAddresses: [{ipAddress: ip, protocol: 'IPv4'}], ports, bindings: this.bindings(def, ports, ip), launchDef: def,
      state: 'TASK_STAGING', stagedAt: this.d.clock.now(), health: def.healthChecks.map(() => undefined), readiness: [], killRequested: false, rev: 0,
    }
    this.d.store.addTask(task)
    this.publish(task, 'TASK_STAGING')
    this.d.clock.timer(this.d.timing.stagingMs, () => this.begin(task))
    this.d.onChange(task.appId)
    return task
  }

  /** Milliseconds until `appId` may launch again after a failure (0: now). */
  launchBlockedFor(appId: string): number {
    const b = this.backoff.get(appId)
    return b === undefined ? 0 : Math.max(0, b.until - this.d.clock.now())
  }

  /** Forgets an app's failures (new config version, or the app is gone). */
  resetBackoff(appId: string): void {
    this.backoff.delete(appId)
    this.relaunch.delete(appId)
  }

  /** Registers a task given in a seed file (virtual mode) without a lifecycle of its own. */
  adopt(task: SimTask): void {
    this.d.store.addTask(task)
    this.d.ports.claim(task.ports)
    this.d.runner.start(this.launchOf(task), {running: () => {}, exited: (e) => this.exited(task, e)})
    if (task.state === 'TASK_RUNNING') this.health.started(task)
  }

  private launchOf(task: SimTask): {taskId: string; appId: string; version: string; bindings: readonly Binding[]; killGraceMs: number; env: Record<string, string>} {
    const env: Record<string, string> = {HOST: task.host, MARATHON_APP_ID: task.appId, MARATHON_APP_VERSION: task.version, MESOS_TASK_ID: task.id}
    task.ports.forEach((p, i) => (env[`PORT${i}`] = String(p)))
    if (task.ports[0] !== undefined) env['PORT'] = String(task.ports[0])
    env['PORTS'] = task.ports.join(',')
    return {taskId: task.id, appId: task.appId, version: task.version, bindings: task.bindings, killGraceMs: this.ms(task.launchDef.taskKillGracePeriodSeconds ?? 0), env}
  }

  private begin(task: SimTask): void {
    if (task.killRequested) {
      this.finish(task, 'TASK_KILLED', '')
      return
    }
    this.transition(task, 'TASK_STARTING')
    const startingAt = this.d.clock.now()
    this.d.runner.start(this.launchOf(task), {
      running: () => this.d.clock.timer(Math.max(0, startingAt + this.d.timing.startingMs - this.d.clock.now()), () => this.running(task)),
      exited: (e) => this.exited(task, e),
    })
  }

  private running(task: SimTask): void {
    if (task.state !== 'TASK_STARTING') return
    task.startedAt = this.d.clock.now()
    this.transition(task, 'TASK_RUNNING')
    this.health.started(task)
  }

  private exited(task: SimTask, exit: TaskExit): void {
    if (!this.d.store.tasks.has(task.id)) return
    if (exit.killed) this.finish(task, 'TASK_KILLED', '')
    else this.finish(task, 'TASK_FAILED', exit.message)
  }

  /** Kills a task: KILLING, then KILLED when its process is gone (marathon-api §6 scale down). */
  kill(task: SimTask): void {
    if (task.killRequested || !this.d.store.tasks.has(task.id)) return
    task.killRequested = true
    // Still staging: no process yet, it ends as soon as its launch timer fires.
    if (task.state === 'TASK_STAGING') return
    this.transition(task, 'TASK_KILLING')
    this.d.runner.kill(task.id)
  }

  /** Sends a fault-injection command to a task's process. */
  control(task: SimTask, command: TaskControl): boolean {
    return this.d.runner.control(task.id, command)
  }

  private transition(task: SimTask, state: TaskState, message = ''): void {
    task.state = state
    task.rev += 1
    this.publish(task, state, message)
    this.d.onChange(task.appId)
  }

  private finish(task: SimTask, state: TaskState, message: string): void {
    this.health.stopped(task)
    task.state = state
    task.rev += 1
    this.publish(task, state, message)
    this.d.store.removeTask(task)
    this.d.ports.release(task.ports)
    if (state === 'TASK_FAILED') this.recordFailure(task, message)
    this.d.onChange(task.appId)
  }

  private recordFailure(task: SimTask, message: string): void {
    const app = this.d.store.apps.get(task.appId)
    if (app === undefined) return
    const lastTaskFailure = {
      appId: task.appId, host: task.host, message, state: 'TASK_FAILED', taskId: task.id, timestamp: timestamp(this.d.clock.now()), version: task.version, slaveId: task.slaveId,
    }
    this.d.store.setApp({...app, lastTaskFailure})
    const prev = this.backoff.get(task.appId)
    const delay = this.ms(Math.min(app.def.backoffSeconds * app.def.backoffFactor ** (prev?.count ?? 0), app.def.maxLaunchDelaySeconds))
    this.backoff.set(task.appId, {count: (prev?.count ?? 0) + 1, until: this.d.clock.now() + delay})
    this.d.clock.timer(delay, () => this.d.onChange(task.appId))
    const queue = this.relaunch.get(task.appId) ?? []
    queue.push({uuid: task.uuid, incarnation: task.incarnation + 1})
    this.relaunch.set(task.appId, queue)
  }

  private publish(task: SimTask, state: TaskState, message = ''): void {
    const ports = state === 'TASK_STAGING' || state === 'TASK_STARTING' || state === 'TASK_RUNNING' || state === 'TASK_KILLING' ? task.ports : []
    this.d.bus.publish('status_update_event', {
      slaveId: task.slaveId, taskId: task.id, taskStatus: state, message, appId: task.appId, host: task.host,
      ipAddresses: state === 'TASK_STAGING' ? [] : task.ipAddresses, ports, version: task.version,
    })
    this.d.bus.publish('instance_changed_event', {
      instanceId: task.instanceId, condition: CONDITION[state], runSpecId: task.appId, agentId: task.slaveId, host: task.host, runSpecVersion: task.version,
    })
  }
}
