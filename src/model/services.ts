/**
 * Apps → services (the build stage, spec §5.2–5.9): service ports, per-port labels, health
 * checks, task filtering and servers. Pure: host IPs and health memory come from the edge.
 */
import type {Skipped} from '../generate.js'
import {indexLabels, parsePortLabels, type PortLabels} from '../labels/parse.js'
import {backendName, serverName} from './naming.js'
import {appPorts, networkingMode, servicePorts, taskIp, taskPorts, type Lookup} from './networking.js'
import type {PortAssigner} from './port-assigner.js'
import type {Server, Service} from './service.js'
import type {App, HealthCheck, Task} from './types.js'

/** The inputs of the build stage. */
export interface BuildOptions {
  readonly strictMode: boolean
  readonly healthCheck: boolean
  readonly hostIps: Lookup<string>
  readonly healthMemory: Lookup<boolean>
  readonly assigner: PortAssigner | undefined
  /**
   * The load balancer's `--group` values, when known: an app none of whose enabled service
   * ports this load balancer serves gets no servers built, as the render would leave out every
   * one of its services (spec §5.2). An external load balancer thus builds only external apps.
   */
  readonly groups?: readonly string[]
}

/**
 * spec §5.2, the render stage's filter: a service port is served when it is enabled and its own
 * `HAPROXY_{n}_GROUP` list, else the app's groups, meets the load balancer's (`*` matches
 * everything). The render applies it to each service; the build uses it to pass over apps with
 * no served port, so the two cannot disagree.
 */
export function servedPort(labels: PortLabels, appGroups: readonly string[], lbGroups: readonly string[]): boolean {
  if (!labels.enabled) return false
  if (lbGroups.includes('*')) return true
  return (labels.groups ?? appGroups).some((g) => lbGroups.includes(g))
}

/** spec §5.2: `HAPROXY_GROUP` split on `,`, without trimming; none → no groups. */
function appGroupsOf(app: App): string[] {
  return app.labels.HAPROXY_GROUP?.split(',') ?? []
}

/**
 * Task id → alive, for the tasks of one app that had health results, flat: id, alive, id,
 * alive, … (a pair per task would be 25,000 small arrays at 5,000 apps, for a one-shot run
 * that never reads them).
 */
export type HealthObservations = readonly (string | boolean)[]

/** Services (unsorted), exclusions and facts for the edge. */
export interface BuildResult {
  readonly services: Service[]
  readonly skipped: Skipped[]
  readonly notices: {readonly appId: string; readonly message: string}[]
  /** Per app (a list of lists: no table of every task is built on each regeneration). */
  readonly healthObservations: HealthObservations[]
}

/** spec §5.3: tasks in these states are never routed to. */
const EXCLUDED_STATES: ReadonlySet<string> = new Set([
  'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
])
const HTTP_FAMILY: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS'])

interface Draft {
  readonly portIndex: number
  readonly servicePort: number
  readonly labels: PortLabels
  readonly healthCheck: HealthCheck | undefined
  readonly mode: 'http' | 'tcp'
  readonly servers: Server[]
}

/** Where building apps puts what it finds: one app's own lists (to remember), or the result's. */
interface AppBuild {
  readonly services: Service[]
  readonly skipped: Skipped[]
  readonly notices: {appId: string; message: string}[]
  readonly observations: (string | boolean)[]
}

/**
 * Builds of apps that depended on nothing but the app and the two flags, by App (one per
 * daemon, see GenerateMemo in src/generate.ts). The daemon's
 * reader hands back the same App for an app that did not change (src/marathon/app-reuse.ts), so
 * an event that changes one app rebuilds one app. An app whose build looked up a host name, the
 * health memory or the port assigner is built again every time: those inputs live outside it.
 */
export type BuildMemo = WeakMap<App, {readonly strictMode: boolean; readonly healthCheck: boolean; readonly groups: readonly string[] | undefined; readonly build: AppBuild}>

/** Builds the services of every app (already merged and FRAMEWORK_NAME-filtered). */
export function buildServices(apps: readonly App[], opts: BuildOptions, memo?: BuildMemo): BuildResult {
  const result: BuildResult = {services: [], skipped: [], notices: [], healthObservations: []}
  if (memo === undefined) {
    // One-shot: every app writes straight into the result.
    const out: AppBuild = {services: result.services, skipped: result.skipped, notices: result.notices, observations: []}
    for (const app of apps) buildApp(app, opts, out)
    result.healthObservations.push(out.observations)
    return result
  }
  const add = (build: AppBuild): void => {
    for (const s of build.services) result.services.push(s)
    for (const s of build.skipped) result.skipped.push(s)
    for (const n of build.notices) result.notices.push(n)
    if (build.observations.length > 0) result.healthObservations.push(build.observations)
  }
  let consulted = false
  const assigner = opts.assigner
  const probed: BuildOptions = {
    ...opts,
    hostIps: {get: (host) => ((consulted = true), opts.hostIps.get(host))},
    healthMemory: {get: (task) => ((consulted = true), opts.healthMemory.get(task))},
    assigner: assigner && {assign: (appId, ports) => ((consulted = true), assigner.assign(appId, ports))},
  }
  for (const app of apps) {
    const hit = memo.get(app)
    let build: AppBuild
    if (hit !== undefined && hit.strictMode === opts.strictMode && hit.healthCheck === opts.healthCheck && sameGroups(hit.groups, opts.groups)) build = hit.build
    else {
      consulted = false
      build = buildApp(app, probed, {services: [], skipped: [], notices: [], observations: []})
      if (!consulted) memo.set(app, {strictMode: opts.strictMode, healthCheck: opts.healthCheck, groups: opts.groups, build})
    }
    add(build)
  }
  return result
}

function sameGroups(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((g, i) => g === b[i]))
}

/** spec §5.9: first check with a truthy `port` (any index) or `portIndex == i`. */
export function healthCheckFor(app: App, index: number): HealthCheck | undefined {
  return app.healthChecks.find((hc) => (hc.port !== undefined && hc.port !== 0) || hc.portIndex === index)
}

function buildApp(app: App, opts: BuildOptions, out: AppBuild): AppBuild {
  const mode = networkingMode(app)
  const ports = servicePorts(app, mode, opts.assigner)
  const indexed = indexLabels(app.labels)
  const drafts = new Map<number, Draft>()
  // Plain loops here and below: this runs once per app, 5,000 times in a cold `--dry`, where
  // callbacks and iterator copies cost before V8 has optimised them.
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i]
    if (sp === undefined) {
      out.notices.push({appId: app.id, message: `service port ${i} left out: the IP-per-task service port range is exhausted`})
      continue
    }
    const parsed = parsePortLabels(indexed, i, opts.strictMode)
    if ('errors' in parsed) {
      for (const e of parsed.errors) out.skipped.push({appId: app.id, portIndex: i, label: e.label, reason: e.reason})
      // The later index replaces the earlier one for the same service port (spec §5.2).
      drafts.delete(sp)
      continue
    }
    drafts.set(sp, draft(app, i, sp, parsed.labels))
  }
  if (drafts.size === 0) return out
  const appGroups = appGroupsOf(app)
  if (opts.groups !== undefined && !servedDraft(drafts, appGroups, opts.groups)) return out
  const net: AppNetworking = {mode, ports, fallback: appPorts(app, mode)}
  const tasks = app.tasks
  for (let t = 0; t < tasks.length; t++) addTask(app, net, tasks[t]!, drafts, opts, out)
  const built: Service[] = []
  for (const d of drafts.values()) if (d.servers.length > 0) built.push(finish(app, appGroups, d))
  for (const s of withCheckPorts(built)) out.services.push(s)
  return out
}

/** Whether the load balancer serves at least one of the app's service ports. */
function servedDraft(drafts: ReadonlyMap<number, Draft>, appGroups: readonly string[], lbGroups: readonly string[]): boolean {
  for (const d of drafts.values()) if (servedPort(d.labels, appGroups, lbGroups)) return true
  return false
}

function draft(app: App, i: number, sp: number, labels: PortLabels): Draft {
  const own = healthCheckFor(app, i)
  const k = labels.healthCheckPortIndex
  const borrowed = own === undefined && k !== undefined ? healthCheckFor(app, k) : undefined
  // spec §5.8: own HTTP check, then the MODE label, then a borrowed HTTP-family check.
  let mode: string | undefined = own?.protocol === 'HTTP' ? 'http' : undefined
  if (labels.mode !== undefined) mode = labels.mode
  if (borrowed !== undefined && HTTP_FAMILY.has(borrowed.protocol ?? '')) mode = 'http'
  mode ??= labels.vhost !== undefined ? 'http' : 'tcp'
  return {portIndex: i, servicePort: labels.port ?? sp, labels, healthCheck: own ?? borrowed, mode: mode === 'http' ? 'http' : 'tcp', servers: []}
}

/** What every task of one app shares: networking mode, service ports, ports of tasks without their own. */
interface AppNetworking {
  readonly mode: string
  readonly ports: readonly (number | undefined)[]
  readonly fallback: readonly number[]
}

/** Where addTask and isHealthy report. */
interface AppOut {
  readonly notices: {appId: string; message: string}[]
  readonly observations: (string | boolean)[]
}

function addTask(app: App, net: AppNetworking, task: Task, drafts: Map<number, Draft>, opts: BuildOptions, out: AppOut): void {
  const {mode, ports} = net
  if (task.host === '') {
    out.notices.push({appId: app.id, message: `task ${task.id} has no host`})
    return
  }
  if (task.state !== undefined && EXCLUDED_STATES.has(task.state)) return
  if (opts.healthCheck && app.healthChecks.length > 0 && !isHealthy(task, opts, out)) return
  const ip = taskIp(mode, task, opts.hostIps)
  const tPorts = taskPorts(app, mode, task, net.fallback)
  if (ip === undefined || tPorts.length === 0) {
    out.notices.push({appId: app.id, message: `task ${task.id} on ${task.host} has no resolvable IP address or no ports`})
    return
  }
  const n = Math.min(tPorts.length, ports.length)
  for (let i = 0; i < n; i++) {
    const sp = ports[i]
    const d = sp === undefined ? undefined : drafts.get(sp)
    if (d === undefined) continue
    const port = tPorts[i] as number
    d.servers.push({host: task.host, ip, port, name: serverName(task.host, ip, port), draining: task.draining})
  }
}

/** spec §5.3: any alive result; without results, what the memory last saw. */
function isHealthy(task: Task, opts: BuildOptions, out: AppOut): boolean {
  if (task.alive === undefined) return opts.healthMemory.get(task.id) === true
  const alive = task.alive
  out.observations.push(task.id, alive)
  return alive
}

function compareServers(a: Server, b: Server): number {
  if (a.host !== b.host) return a.host < b.host ? -1 : 1
  if (a.port !== b.port) return a.port - b.port
  // marathon-lb's order is arbitrary here (a set); mlb sorts so the bytes are stable.
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.draining) - Number(b.draining)
}

/**
 * `servers` sorted in place by {@link compareServers}. A backend has a handful of servers, and
 * Array.prototype.sort sets up about a kilobyte of merge state per call (4 MB over the 5,000
 * backends of a 5,000-app state): short lists get an insertion sort, which is stable too.
 */
function sortServers(servers: Server[]): Server[] {
  if (servers.length > 16) return servers.sort(compareServers)
  for (let i = 1; i < servers.length; i++) {
    const s = servers[i]!
    let j = i - 1
    while (j >= 0 && compareServers(servers[j]!, s) > 0) {
      servers[j + 1] = servers[j]!
      j--
    }
    servers[j + 1] = s
  }
  return servers
}

function finish(app: App, appGroups: readonly string[], d: Draft): Service {
  return {
    appId: app.id,
    portIndex: d.portIndex,
    servicePort: d.servicePort,
    backend: backendName(app.id, d.servicePort),
    labels: d.labels,
    appGroups,
    healthCheck: d.healthCheck,
    mode: d.mode,
    servers: sortServers(d.servers),
    backendCheckPort: undefined,
    serverCheckPorts: undefined,
  }
}

/**
 * spec §5.9 `get_backend_port`: with BACKEND_HEALTHCHECK_PORT_INDEX = k, server j is checked
 * on the port of the j-th server of the app's k-th service (sorted by service port; negative k
 * counts from the end). marathon-lb crashes for k == count or a target with fewer servers;
 * mlb uses the server's own port there, like an out-of-range k.
 */
function withCheckPorts(services: Service[]): Service[] {
  if (services.every((s) => s.labels.healthCheckPortIndex === undefined)) return services
  const sorted = [...services].sort((a, b) => a.servicePort - b.servicePort)
  const count = sorted.length
  return services.map((s) => {
    const k = s.labels.healthCheckPortIndex
    if (k === undefined) return s
    const target = Math.abs(k) > count || k === count ? undefined : sorted[k < 0 ? count + k : k]
    const portAt = (j: number): number => target?.servers[j]?.port ?? (s.servers[j] as Server).port
    return {...s, backendCheckPort: portAt(0), serverCheckPorts: s.servers.map((_, j) => portAt(j))}
  })
}
