/**
 * Hand-written fakes for zdd's interfaces (style rule 13): a clock that never sleeps, an
 * in-memory Marathon that records calls, and load balancers that apply the deployment-group
 * draining rule (spec §5.15) to the fake Marathon's apps, as `mlb serve` would.
 */
import type {Clock, TimerHandle} from '../../src/clock.js'
import {MarathonEndpointError, type ZddError} from '../../src/errors.js'
import {nullLogger} from '../../src/log.js'
import {toZddApp} from '../../src/zdd/app.js'
import {MemoryReporter} from '../../src/zdd/events.js'
import type {HookRunner} from '../../src/zdd/hook.js'
import type {LbClient} from '../../src/zdd/lb.js'
import type {ZddMarathon} from '../../src/zdd/marathon.js'
import {createServerNaming} from '../../src/zdd/naming.js'
import type {Prompter} from '../../src/zdd/prompt.js'
import type {ZddRunDeps, ZddRunOptions} from '../../src/zdd/run.js'
import type {JsonObject, ZddApp} from '../../src/zdd/state.js'

/** A clock whose sleeps return at once and advance time. */
export class FakeClock implements Clock {
  wall = Date.UTC(2026, 10, 21, 5, 0, 0)
  mono = 0
  readonly sleeps: number[] = []
  /** Called after every sleep (to change the world while "time passes"). */
  onSleep: (() => void) | undefined

  now(): number {
    return this.wall
  }
  monotonic(): number {
    return this.mono
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw signal.reason
    this.sleeps.push(ms)
    this.wall += ms
    this.mono += ms
    this.onSleep?.()
  }
  timer(_ms: number, _fn: () => void): TimerHandle {
    return {cancel: () => {}}
  }
}

interface FakeApp {
  json: Record<string, unknown>
  instances: number
  tasks: {id: string; host: string; ports: number[]}[]
  /** Polls left during which the app reports a deployment. */
  deploying: number
  /** Order of the last scale (Marathon's versionInfo.lastScalingAt; kills with scale=true count). */
  scaledAt: number
}

type CallKind = 'list' | 'get' | 'create' | 'scale' | 'kill' | 'delete'

/** In-memory Marathon: apps, tasks that appear after one deploying poll, and a call log. */
export class FakeMarathon implements ZddMarathon {
  readonly apps = new Map<string, FakeApp>()
  readonly calls: string[] = []
  readonly failures = new Map<CallKind, ZddError>()
  /** Polls a create or scale stays deploying (Infinity: a release that never turns healthy). */
  deploymentPolls = 2
  private nextTask = 1
  private scaleClock = 1

  /** Adds a running app (tasks on host 10.0.0.1, ports 31001…). */
  add(json: Record<string, unknown>): void {
    const app: FakeApp = {json: structuredClone(json), instances: Number(json['instances'] ?? 0), tasks: [], deploying: 0, scaledAt: this.scaleClock++}
    this.apps.set(String(json['id']), app)
    this.fill(app)
  }

  private fill(app: FakeApp): void {
    const safe = String(app.json['id']).slice(1)
    while (app.tasks.length < app.instances) {
      const n = this.nextTask++
      app.tasks.push({id: `${safe}.task-${String(n).padStart(4, '0')}`, host: '10.0.0.1', ports: [31000 + n]})
    }
    app.tasks.splice(app.instances)
  }

  private fail(kind: CallKind): void {
    const err = this.failures.get(kind)
    if (err !== undefined) throw err
  }

  private view(app: FakeApp): ZddApp {
    const json = {...app.json, instances: app.instances, deployments: app.deploying > 0 ? [{id: 'd1'}] : [], tasks: app.tasks}
    const z = toZddApp(json)
    if (z === undefined) throw new Error('bad fake app')
    return z
  }

  async listApps(): Promise<ZddApp[]> {
    this.calls.push('GET /v2/apps')
    this.fail('list')
    return [...this.apps.values()].map((a) => this.view(a))
  }
  async getApp(id: string): Promise<ZddApp> {
    this.fail('get')
    const app = this.apps.get(id)
    if (app === undefined) throw new MarathonEndpointError(`App '${id}' does not exist`)
    if (app.deploying > 0 && --app.deploying === 0) this.fill(app)
    return this.view(app)
  }
  async createApp(json: JsonObject): Promise<void> {
    this.calls.push(`POST /v2/apps ${String(json['id'])} instances=${String(json['instances'])}`)
    this.fail('create')
    this.apps.set(String(json['id']), {json: structuredClone(json) as Record<string, unknown>, instances: Number(json['instances']), tasks: [], deploying: this.deploymentPolls, scaledAt: this.scaleClock++})
  }
  async scaleApp(id: string, instances: number): Promise<void> {
    this.calls.push(`PUT ${id} instances=${instances}`)
    this.fail('scale')
    const app = this.apps.get(id)
    if (app === undefined) throw new Error(`no ${id}`)
    app.instances = instances
    app.deploying = this.deploymentPolls
    app.scaledAt = this.scaleClock++
  }
  async killTasks(ids: readonly string[]): Promise<void> {
    this.calls.push(`KILL ${ids.join(',')}`)
    this.fail('kill')
    for (const app of this.apps.values()) {
      const before = app.tasks.length
      app.tasks = app.tasks.filter((t) => !ids.includes(t.id))
      if (app.tasks.length !== before) app.scaledAt = this.scaleClock++
      app.instances -= before - app.tasks.length
    }
  }
  async deleteApp(id: string): Promise<void> {
    this.calls.push(`DELETE ${id}`)
    this.fail('delete')
    this.apps.delete(id)
  }
}

/** Load balancers serving the fake Marathon's deployment group with the §5.15 draining rule. */
export class FakeLbs implements LbClient {
  /** Open sessions per server name (a long-lived connection keeps a server from draining). */
  readonly sessions = new Map<string, number>()
  /** Polls left during which every LB reports 3 PIDs (reloading). */
  reloadingPolls = 0
  statsFailure: Error | undefined
  statsPolls = 0

  constructor(private readonly marathon: FakeMarathon) {}

  async pids(): Promise<string[]> {
    if (this.reloadingPolls > 0) {
      this.reloadingPolls--
      return ['1', '2', '3']
    }
    return ['1', '2']
  }

  async stats(): Promise<string> {
    this.statsPolls++
    if (this.statsFailure !== undefined) throw this.statsFailure
    const rows = ['# pxname,svname,qcur,scur,status,']
    const apps = [...this.marathon.apps.values()].filter((a) => a.deploying === 0 && labels(a)['HAPROXY_DEPLOYMENT_GROUP'] !== undefined)
    apps.sort((a, b) => (labels(a)['HAPROXY_DEPLOYMENT_STARTED_AT'] ?? '0').localeCompare(labels(b)['HAPROXY_DEPLOYMENT_STARTED_AT'] ?? '0'))
    let [old, neu] = apps.length >= 2 ? [apps.at(-2), apps.at(-1)] : [undefined, apps[0]]
    // §5.15: with NEW_INSTANCES on the newer app, the more recently scaled app counts as new.
    if (old !== undefined && neu !== undefined && labels(neu)['HAPROXY_DEPLOYMENT_NEW_INSTANCES'] !== undefined && old.scaledAt > neu.scaledAt) [old, neu] = [neu, old]
    if (neu === undefined) return `${rows.join('\n')}\n`
    const l = labels(old ?? neu)
    const pxname = `${l['HAPROXY_DEPLOYMENT_GROUP'] ?? ''}_${l['HAPROXY_0_PORT'] ?? ''}`
    const target = Number(labels(neu)['HAPROXY_DEPLOYMENT_TARGET_INSTANCES'] ?? 1)
    const oldTasks = [...(old?.tasks ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1))
    const healthyNew = neu.tasks.length
    const drain = Math.min(oldTasks.length, healthyNew, Math.max(0, healthyNew + (old?.instances ?? 0) - target))
    const row = (t: {host: string; ports: number[]}, draining: boolean): string => {
      const name = `${t.host.replaceAll('.', '_')}_${t.ports[0] ?? 0}`
      return `${pxname},${name},0,${this.sessions.get(name) ?? 0},${draining ? 'MAINT' : 'UP'},`
    }
    oldTasks.forEach((t, i) => rows.push(row(t, i < drain)))
    for (const t of neu.tasks) rows.push(row(t, false))
    return `${rows.join('\n')}\n${pxname},BACKEND,0,0,UP,\n`
  }
}

function labels(app: FakeApp): Record<string, string> {
  return (app.json['labels'] ?? {}) as Record<string, string>
}

/** A hook runner recording argv and answering with `status`. */
export class FakeHook implements HookRunner {
  readonly runs: string[][] = []
  status = 0
  async run(argv: readonly string[]): Promise<{status: number | null; signal: string | null}> {
    this.runs.push([...argv])
    return {status: this.status, signal: null}
  }
}

/** A prompter answering from a list (then yes), recording the questions. */
export class FakePrompter implements Prompter {
  readonly questions: string[] = []
  constructor(private readonly answers: boolean[] = []) {}
  async confirm(q: string): Promise<boolean> {
    this.questions.push(q)
    return this.answers.shift() ?? true
  }
}

/** The green app of a group, running `instances` tasks, as zdd created it earlier. */
export function greenApp(instances: number, extra: Record<string, string> = {}): Record<string, unknown> {
  return {
    id: '/nginx-green',
    instances,
    container: {type: 'DOCKER', docker: {image: 'nginx', network: 'BRIDGE', portMappings: [{containerPort: 80, hostPort: 0, servicePort: 10000}]}},
    labels: {
      HAPROXY_DEPLOYMENT_GROUP: 'nginx',
      HAPROXY_DEPLOYMENT_ALT_PORT: '10001',
      HAPROXY_0_PORT: '10000',
      HAPROXY_APP_ID: 'nginx',
      HAPROXY_DEPLOYMENT_COLOUR: 'green',
      HAPROXY_DEPLOYMENT_TARGET_INSTANCES: String(instances),
      HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0',
      HAPROXY_DEPLOYMENT_STARTED_AT: '2026-01-01T00:00:00.000000',
      ...extra,
    },
  }
}

/** The app JSON a user passes with -j. */
export function userApp(instances = 4): Record<string, unknown> {
  return {
    id: 'nginx',
    instances,
    container: {type: 'DOCKER', docker: {image: 'nginx:2', network: 'BRIDGE', portMappings: [{containerPort: 80, hostPort: 0, servicePort: 10000}]}},
    labels: {HAPROXY_DEPLOYMENT_GROUP: 'nginx', HAPROXY_DEPLOYMENT_ALT_PORT: '10001', HAPROXY_GROUP: 'external'},
  }
}

/** A world of fakes and the run's options/deps over it. */
export function world(overrides: Partial<ZddRunOptions> = {}, answers: boolean[] = []) {
  const clock = new FakeClock()
  const marathon = new FakeMarathon()
  const lbs = new FakeLbs(marathon)
  const hook = new FakeHook()
  const prompter = new FakePrompter(answers)
  const reporter = new MemoryReporter()
  const naming = createServerNaming(async () => [])
  const controller = new AbortController()
  const deps: ZddRunDeps = {
    marathon,
    lb: lbs,
    lbUrls: async () => ['http://127.0.0.1:9090', 'http://127.0.0.2:9090'],
    prepareNames: naming.prepare,
    hook,
    prompter,
    clock,
    reporter,
    logger: nullLogger,
    signal: controller.signal,
  }
  const opts: ZddRunOptions = {
    appJson: userApp(),
    dryRun: false,
    resume: false,
    initialInstances: 1,
    newInstances: 0,
    interactive: false,
    stepDelayMs: 5000,
    maxWaitMs: 300_000,
    deployTimeoutMs: 0,
    linearIncrease: 0,
    completeCur: false,
    completePrev: false,
    serverName: naming.serverName,
    force: true,
    preKillHook: undefined,
    maxPolls: 500,
    ...overrides,
  }
  return {clock, marathon, lbs, hook, prompter, reporter, deps, opts, controller}
}
