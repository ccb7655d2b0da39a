/**
 * `startSimulator(options)`: a simulated Marathon on a loopback port, for tests (in-process),
 * `mlb marathon-sim` and the benchmarks. One {@link Simulator} is one Marathon instance; a
 * standby started with {@link Simulator.startStandby} shares its state (leader election faults).
 */
import {createServer, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {systemClock, type Clock} from '../clock.js'
import {nullLogger, type Logger} from '../log.js'
import {handleAdmin} from './admin.js'
import {Auth, type AuthOptions} from './auth.js'
import {CallLog, type CallRecord} from './call-log.js'
import {Cluster, type Member} from './cluster.js'
import {Engine} from './engine.js'
import type {SimEvent} from './event-bus.js'
import {DEFAULT_HEARTBEAT_MS, EventStreams} from './event-streams.js'
import {Faults} from './faults.js'
import {taskIdStyleFor} from './ids.js'
import {ProcessRunner} from './process-runner.js'
import {createHandler} from './server.js'
import {loadApps} from './seed.js'
import type {SimTask} from './state.js'
import {VirtualRunner} from './virtual-runner.js'
import type {TaskControl, TaskRunner} from './runner.js'
import {MixedRunner} from './mixed-runner.js'

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Initial state: a `GET /v2/apps` document (`{"apps": [...]}`) or an array of apps. */
  readonly apps?: unknown
  /** Listen port (default 0: a free port). */
  readonly port?: number
  /** Listen address (default 127.0.0.1). */
  readonly host?: string
  /** Host-port range for tasks (default 31000–32000, Mesos' default offer). */
  readonly taskPorts?: {readonly min: number; readonly max: number}
  /** Records only, no processes (large states). */
  readonly virtualTasks?: boolean
  /** With `virtualTasks`: apps (ids with leading `/`) whose tasks still run as real processes. */
  readonly realTaskApps?: readonly string[]
  /** Range `0` service ports are assigned from (default Marathon's 10000–20000); concurrent tests need distinct ones. */
  readonly servicePorts?: {readonly min: number; readonly max: number}
  /** Path prefix the API is also served under (e.g. `/marathon`). */
  readonly basePath?: string
  /** SSE heartbeat period (default 10 000 ms, Jetty's default that Marathon keeps). */
  readonly heartbeatMs?: number
  /** Slow-consumer limit of the event stream (default 1024). */
  readonly maxOutstandingEvents?: number
  /** Multiplies every duration an app declares in seconds (health checks, grace periods, backoff). */
  readonly timeScale?: number
  /** Time a new task spends in TASK_STAGING (default 100 ms). */
  readonly stagingMs?: number
  /** Minimum time in TASK_STARTING (default 100 ms). */
  readonly startingMs?: number
  /** Extra time after the kill grace period before SIGKILL (default 3000 ms). */
  readonly killTimeoutMs?: number
  /** Marathon version reported by `/v2/info`; ≥1.8 uses instance-style task ids (default 1.9.109). */
  readonly version?: string
  readonly auth?: AuthOptions
  /** Time for a lone instance to be re-elected after abdicating (default 1000 ms). */
  readonly reelectMs?: number
  readonly clock?: Clock
  readonly logger?: Logger
}

interface Shared {
  readonly cluster: Cluster
  readonly options: SimulatorOptions
}

/** One running simulator instance. */
export class Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (with the base path when one is set). */
  url = ''
  /** `host:port` of this instance. */
  address = ''
  readonly faults = new Faults()
  readonly log = new CallLog()
  readonly streams: EventStreams
  private readonly server: Server
  private readonly held = new Set<ServerResponse>()
  private readonly member: Member
  private stopped = false

  constructor(private readonly shared: Shared) {
    const o = shared.options
    const clock = o.clock ?? systemClock
    this.streams = new EventStreams(shared.cluster.engine.bus, {clock, heartbeatMs: o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, maxOutstanding: o.maxOutstandingEvents ?? 1024})
    const self = this
    this.member = {
      get address() {
        return self.address
      },
      get url() {
        return self.url
      },
      leadershipLost: () => this.streams.closeAll(),
    }
    this.server = createServer(
      createHandler({
        self: this.member, cluster: shared.cluster, streams: this.streams, faults: this.faults, auth: new Auth(o.auth ?? {}, () => clock.now()), calls: this.log,
        clock, logger: o.logger ?? nullLogger, version: o.version ?? '1.9.109', basePath: (o.basePath ?? '').replace(/\/+$/, ''),
        port: () => (this.server.address() as AddressInfo | null)?.port ?? 0, admin: (req) => handleAdmin(this, req), held: this.held,
      }),
    )
  }

  /** Starts listening and joins the cluster. */
  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve())
    })
    const a = this.server.address() as AddressInfo
    this.address = `${host}:${a.port}`
    this.url = `http://${this.address}${(this.shared.options.basePath ?? '').replace(/\/+$/, '')}`
    this.shared.cluster.join(this.member)
  }

  /** The shared state machine (for advanced tests). */
  get engine(): Engine {
    return this.shared.cluster.engine
  }

  /** True while this instance is the leader. */
  get isLeader(): boolean {
    return this.shared.cluster.leader === this.member
  }

  /** Requests this instance answered. */
  calls(filter: {method?: string; path?: string | RegExp} = {}): CallRecord[] {
    return this.log.calls(filter)
  }

  /** Events published so far (shared by all instances). */
  events(types?: readonly string[]): SimEvent[] {
    const all = this.engine.bus.history()
    return types === undefined ? [...all] : all.filter((e) => types.includes(e.eventType))
  }

  /** Forgets recorded calls and events. */
  clearHistory(): void {
    this.log.clear()
    this.engine.bus.clearHistory()
  }

  /** Live tasks of an app (or of all apps). */
  tasks(appId?: string): SimTask[] {
    return appId === undefined ? [...this.engine.store.tasks.values()] : this.engine.store.tasksOf(appId.startsWith('/') ? appId : `/${appId}`)
  }

  /** Pids of the task processes alive now (empty in virtual mode). */
  taskPids(): number[] {
    return this.engine.runner.pids()
  }

  /**
   * Polls `predicate` every `intervalMs` until it holds; rejects after `timeoutMs`. A test helper
   * in real time on purpose: with a fake clock, advance the clock instead.
   */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`simulator: condition not met within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, intervalMs))
    }
  }

  /** Waits until no deployment runs. */
  waitForDeployments(timeoutMs = 10_000): Promise<void> {
    return this.waitFor(() => this.engine.deployments.running.size === 0, timeoutMs)
  }

  private task(taskId: string): SimTask {
    const t = this.engine.store.tasks.get(taskId)
    if (t === undefined) throw new Error(`no task ${taskId}`)
    return t
  }

  /** Kills a task as Mesos would (KILLING → KILLED); the scheduler replaces it. */
  killTask(taskId: string): void {
    this.engine.tasks.kill(this.task(taskId))
  }

  /** Fault: a task's process misbehaves (`crash` → FAILED, `hang`, `down`/`up` stop/resume listening). */
  controlTask(taskId: string, command: TaskControl): boolean {
    return this.engine.tasks.control(this.task(taskId), command)
  }

  /** Fault: cuts every open event stream of this instance. */
  dropEventStreams(): void {
    this.streams.drop()
  }

  /** Fault: event streams stay open but send nothing until {@link resumeEventStreams}. */
  stallEventStreams(): void {
    this.streams.stall()
  }

  /** Ends a stall. */
  resumeEventStreams(): void {
    this.streams.resume()
  }

  /** Starts a standby instance sharing this state (it proxies to the leader). */
  async startStandby(port = 0): Promise<Simulator> {
    const standby = new Simulator(this.shared)
    await standby.listen(port, this.shared.options.host ?? '127.0.0.1')
    return standby
  }

  /** Fault: this instance loses leadership to another instance (or to none). */
  loseLeadership(to?: Simulator): void {
    if (!this.isLeader) return
    this.shared.cluster.setLeader(to?.member)
  }

  /** Makes this instance the leader. */
  takeLeadership(): void {
    this.shared.cluster.setLeader(this.member)
  }

  /** Stops this instance; the last one to stop ends every task process. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.shared.cluster.leave(this.member)
    this.streams.closeAll()
    for (const res of this.held) res.destroy()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    if (this.shared.cluster.size === 0) await this.engine.shutdown()
  }
}

function runnerFor(options: SimulatorOptions, runnerOpts: {clock: Clock; killTimeoutMs?: number}): TaskRunner {
  if (options.virtualTasks !== true) return new ProcessRunner(runnerOpts)
  const virtual = new VirtualRunner(runnerOpts)
  const real = new Set(options.realTaskApps ?? [])
  return real.size === 0 ? virtual : new MixedRunner(new ProcessRunner(runnerOpts), virtual, (appId) => real.has(appId))
}

/** Starts a simulator. Throws an {@link ApiError}-derived Error when the initial apps are invalid. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock
  const runnerOpts = {clock, ...(options.killTimeoutMs === undefined ? {} : {killTimeoutMs: options.killTimeoutMs})}
  const engine = new Engine({
    clock, runner: runnerFor(options, runnerOpts), taskPorts: options.taskPorts ?? {min: 31000, max: 32000}, idStyle: taskIdStyleFor(options.version ?? '1.9.109'),
    ...(options.servicePorts === undefined ? {} : {servicePorts: options.servicePorts}),
    timing: {stagingMs: options.stagingMs ?? 100, startingMs: options.startingMs ?? 100, timeScale: options.timeScale ?? 1},
  })
  if (options.apps !== undefined) loadApps(engine, options.apps, options.virtualTasks === true)
  const cluster = new Cluster(engine, clock, options.reelectMs ?? 1000)
  const sim = new Simulator({cluster, options})
  try {
    await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1')
  } catch (err) {
    await engine.shutdown()
    throw err
  }
  return sim
}
