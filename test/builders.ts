/**
 * Builders for Marathon state in tests (style rule 13): each case reads like the state it
 * describes, e.g. `app(id('/web'), label('HAPROXY_0_VHOST', 'a.com'), portDefs(10000),
 * tasks(task(host('10.0.0.1'), ports(31000))))`. They produce Marathon JSON, so tests go
 * through the same parser as production.
 */
import {generateConfig, generateOptions, type GeneratedConfig, type GenerateOptions} from '../src/generate.js'
import {loadTemplateSet} from '../src/templates/load.js'

type Json = Record<string, unknown>
/** A change applied to a JSON object under construction. */
export type Opt = (o: Json) => void

function build(base: Json, opts: readonly Opt[]): Json {
  for (const o of opts) o(base)
  return base
}

/** A Marathon app (defaults: one instance, no ports, no tasks). */
export function app(...opts: Opt[]): Json {
  return build({id: '/app', labels: {}, instances: 1, healthChecks: [], tasks: []}, opts)
}
/** The app id. */
export const id = (v: string): Opt => (o) => { o.id = v }
/** One label. */
export const label = (k: string, v: string): Opt => (o) => { (o.labels as Json)[k] = v }
/** Several labels. */
export const labels = (l: Record<string, string>): Opt => (o) => { Object.assign(o.labels as Json, l) }
/** `portDefinitions` with these ports. */
export const portDefs = (...ports: number[]): Opt => (o) => { o.portDefinitions = ports.map((port) => ({port, protocol: 'tcp'})) }
/** `container.portMappings` (Marathon 1.5) as [containerPort, servicePort] pairs. */
export const portMappings = (...m: [number, number | null][]): Opt => (o) => {
  o.container = {type: 'DOCKER', portMappings: m.map(([containerPort, servicePort]) => ({containerPort, servicePort}))}
}
/** `networks` with these modes. */
export const networks = (...modes: string[]): Opt => (o) => { o.networks = modes.map((mode) => ({mode})) }
/** `instances`. */
export const instances = (n: number): Opt => (o) => { o.instances = n }
/** A raw field (for malformed input). */
export const field = (k: string, v: unknown): Opt => (o) => { o[k] = v }
/** A Marathon health check (defaults: HTTP on port index 0, path /). */
export function healthCheck(hc: Json = {}): Opt {
  return (o) => {
    (o.healthChecks as Json[]).push({protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 2, timeoutSeconds: 10, maxConsecutiveFailures: 10, ...hc})
  }
}
/** The app's tasks. */
export const tasks = (...t: Json[]): Opt => (o) => { (o.tasks as Json[]).push(...t) }

let taskSeq = 0
/** A running task (defaults: host 10.0.0.1, no ports). */
export function task(...opts: Opt[]): Json {
  taskSeq++
  return build({id: `task.${String(taskSeq).padStart(4, '0')}`, host: '10.0.0.1', ports: [], state: 'TASK_RUNNING'}, opts)
}
/** Task id. */
export const taskId = (v: string): Opt => (o) => { o.id = v }
/** Agent host. */
export const host = (v: string): Opt => (o) => { o.host = v }
/** Task ports. */
export const ports = (...p: number[]): Opt => (o) => { o.ports = p }
/** Task state. */
export const state = (v: string): Opt => (o) => { o.state = v }
/** IP-per-task addresses. */
export const ips = (...a: string[]): Opt => (o) => { o.ipAddresses = a.map((ipAddress) => ({ipAddress, protocol: 'IPv4'})) }
/** Health-check results (`alive` per result). */
export const alive = (...a: boolean[]): Opt => (o) => { o.healthCheckResults = a.map((v) => ({alive: v})) }

/** Marathon's `/v2/apps` body. */
export function marathon(...apps: Json[]): {apps: Json[]} {
  return {apps}
}

/** marathon-lb's defaults as GenerateOptions (group `*`), with overrides. */
export function options(o: Partial<GenerateOptions> = {}): GenerateOptions {
  return generateOptions(o)
}

/** Generates with the default templates (plus `env` overrides) from a state. */
export function generate(state: unknown, o: Partial<GenerateOptions> = {}, env: Record<string, string> = {}): GeneratedConfig {
  return generateConfig({marathon: state, options: options(o), templates: loadTemplateSet({env, cwd: '/nonexistent'}), hostIps: new Map()})
}

/** The config text after the default HEAD (from the first blank line on). */
export function body(config: string): string {
  return config.slice(config.indexOf('\n\n') + 1)
}

/** Lines of a named section (`frontend x`, `backend y`), without the header. */
export function section(config: string, header: string): string[] {
  const lines = config.split('\n')
  const start = lines.indexOf(header)
  if (start < 0) return []
  const out: string[] = []
  for (const l of lines.slice(start + 1)) {
    if (l === '' || !l.startsWith(' ')) break
    out.push(l)
  }
  return out
}
