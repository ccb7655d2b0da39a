/**
 * Networking shapes (spec §5.4, §5.5): an app's networking mode, the IP and ports HAProxy
 * connects to for a task, and the service ports HAProxy binds. Host names are resolved at the
 * edge and handed in (`hostIps`); IPv4 literals resolve to themselves, as gethostbyname does.
 */
import {isIPv4} from 'node:net'
import type {PortAssigner} from './port-assigner.js'
import type {App, PortMapping, Task} from './types.js'

/** Read access to a map (a ReadonlyMap is one). */
export interface Lookup<V> {
  get(key: string): V | undefined
}

/** `host`, `container` (IP-per-task) or `container/bridge`; other `networks[].mode` values pass through. */
export type NetworkingMode = string

/** spec §5.4: later rules override earlier ones; the last `networks` entry wins. */
export function networkingMode(app: App): NetworkingMode {
  let mode = 'host'
  if (app.hasIpAddress) mode = 'container'
  if (app.dockerNetwork === 'USER') mode = 'container'
  else if (app.dockerNetwork === 'BRIDGE') mode = 'container/bridge'
  for (const m of app.networkModes) mode = m ?? 'container'
  return mode
}

/** `container.docker.portMappings` if non-empty, else `container.portMappings`. */
export function portMappings(app: App): readonly PortMapping[] {
  return app.dockerPortMappings.length > 0 ? app.dockerPortMappings : app.containerPortMappings
}

function containerPorts(app: App): number[] {
  return definedPorts(portMappings(app), 'containerPort')
}

/** The `key` ports of the mappings that have one, in order (a loop: flatMap's per-element arrays showed in profiles). */
function definedPorts(mappings: readonly PortMapping[], key: 'containerPort' | 'servicePort'): number[] {
  const out: number[] = []
  for (const m of mappings) {
    const port = m[key]
    if (port !== undefined) out.push(port)
  }
  return out
}

/**
 * The ports of `app`'s tasks that do not list their own (spec §5.4): the same for every task,
 * so a caller looping over tasks computes it once and hands it to {@link taskPorts}.
 */
export function appPorts(app: App, mode: NetworkingMode): readonly number[] {
  if (mode === 'container') return app.discoveryPorts.length > 0 ? app.discoveryPorts : containerPorts(app)
  const defined = app.portDefinitions ?? []
  if (mode === 'container/bridge' && defined.length === 0) return containerPorts(app)
  return defined
}

/** The ports HAProxy connects to for a task of `app` (spec §5.4). */
export function taskPorts(app: App, mode: NetworkingMode, task: Task, fallback: readonly number[] = appPorts(app, mode)): readonly number[] {
  // IP-per-task: the task's own (agent) ports are not where the container listens.
  if (mode !== 'container' && task.ports.length > 0) return task.ports
  return fallback
}

/** The task's IP: its first IP-per-task address, or the resolved agent host. */
export function taskIp(mode: NetworkingMode, task: Task, hostIps: Lookup<string>): string | undefined {
  if (mode === 'container') {
    const ip = task.ipAddress
    return ip === undefined || ip === '' ? undefined : ip
  }
  if (isIPv4(task.host)) return task.host
  return hostIps.get(task.host)
}

/**
 * The service ports of `app` (spec §5.5), positionally matching task ports. An entry is
 * undefined when auto-assignment ran out of ports.
 */
export function servicePorts(app: App, mode: NetworkingMode, assigner: PortAssigner | undefined): readonly (number | undefined)[] {
  if (mode === 'container' || mode === 'container/bridge') {
    // Mappings without a servicePort are skipped, shifting later indices (spec §10.18).
    const mapped = definedPorts(portMappings(app), 'servicePort')
    if (mapped.length > 0) return mapped
  }
  const ports = app.portDefinitions ?? app.ports ?? []
  if (ports.length > 0 || mode !== 'container' || assigner === undefined) return ports
  const first = app.tasks[0]
  if (first === undefined) return []
  return assigner.assign(app.id, taskPorts(app, mode, first))
}
