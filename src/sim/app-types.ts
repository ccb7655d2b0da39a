/**
 * The simulator's normalized app definition: Marathon's 1.5+ shape with every default filled in
 * (marathon-api §3), as stored and echoed by GET.
 */

/** A networking mode of `networks[].mode` (marathon-api §3.2). */
export type NetworkMode = 'host' | 'container/bridge' | 'container'

/** `networks[]` entry. */
export interface NetworkDef {
  readonly mode: NetworkMode
  readonly name?: string
  readonly labels?: Readonly<Record<string, string>>
}

/** `portDefinitions[]` entry (host networking). `port` is the assigned service port. */
export interface PortDefinition {
  readonly port: number
  readonly protocol: string
  readonly name?: string
  readonly labels?: Readonly<Record<string, string>>
}

/** `container.portMappings[]` entry (non-host networking). `hostPort` undefined = no host port. */
export interface PortMapping {
  readonly containerPort: number
  readonly hostPort?: number
  readonly servicePort: number
  readonly protocol: string
  readonly name?: string
  readonly labels: Readonly<Record<string, string>>
  readonly networkNames?: readonly string[]
}

/** `container` with the port mappings moved to their 1.5 location. */
export interface ContainerDef {
  readonly type: string
  /** Docker settings without the legacy `network` and `portMappings`. */
  readonly docker?: Readonly<Record<string, unknown>>
  readonly volumes: readonly unknown[]
  readonly portMappings: readonly PortMapping[]
  readonly rest: Readonly<Record<string, unknown>>
}

/** Health check protocols (marathon-api §3 AppHealthCheck). */
export type HealthProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP'

/** A fully defaulted health check. */
export interface HealthCheckDef {
  readonly protocol: HealthProtocol
  readonly path?: string
  readonly portIndex?: number
  readonly port?: number
  readonly command?: unknown
  readonly gracePeriodSeconds: number
  readonly intervalSeconds: number
  readonly timeoutSeconds: number
  readonly maxConsecutiveFailures: number
  readonly delaySeconds: number
  readonly ignoreHttp1xx?: boolean
  readonly ipProtocol: string
}

/** A fully defaulted readiness check. */
export interface ReadinessCheckDef {
  readonly name: string
  readonly protocol: string
  readonly path: string
  readonly portName: string
  readonly intervalSeconds: number
  readonly timeoutSeconds: number
  readonly httpStatusCodesForReady: readonly number[]
  readonly preserveLastResponse: boolean
}

/** Victim order on scale-down. */
export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST'

/** A normalized app definition (without `version`/`versionInfo`, which the store adds). */
export interface AppDefinition {
  readonly id: string
  readonly instances: number
  readonly cpus: number
  readonly mem: number
  readonly disk: number
  readonly gpus: number
  readonly labels: Readonly<Record<string, string>>
  readonly networks: readonly NetworkDef[]
  /** Empty unless every network is `host` (1.5 echoes it only then). */
  readonly portDefinitions: readonly PortDefinition[]
  readonly container?: ContainerDef
  readonly requirePorts: boolean
  readonly healthChecks: readonly HealthCheckDef[]
  readonly readinessChecks: readonly ReadinessCheckDef[]
  readonly upgradeStrategy: {readonly minimumHealthCapacity: number; readonly maximumOverCapacity: number}
  readonly killSelection: KillSelection
  readonly unreachableStrategy: unknown
  readonly taskKillGracePeriodSeconds?: number
  readonly backoffSeconds: number
  readonly backoffFactor: number
  readonly maxLaunchDelaySeconds: number
  /** Pass-through fields echoed as given (`cmd`, `args`, `env`, `constraints`, …). */
  readonly other: Readonly<Record<string, unknown>>
}

/** The networking mode of an app: one mode for all its networks (validation guarantees it). */
export function networkMode(app: AppDefinition): NetworkMode {
  return app.networks[app.networks.length - 1]?.mode ?? 'host'
}

/** The app's service ports, in port-index order. */
export function servicePorts(app: AppDefinition): number[] {
  if (networkMode(app) === 'host') return app.portDefinitions.map((p) => p.port)
  return (app.container?.portMappings ?? []).map((m) => m.servicePort)
}

/** Port names in port-index order (readiness checks address ports by name). */
export function portNames(app: AppDefinition): (string | undefined)[] {
  if (networkMode(app) === 'host') return app.portDefinitions.map((p) => p.name)
  return (app.container?.portMappings ?? []).map((m) => m.name)
}
