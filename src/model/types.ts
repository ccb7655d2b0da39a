/**
 * The typed view of Marathon's `GET /v2/apps?embed=apps.tasks` that the core consumes
 * (spec §5.1a). Everything else in Marathon's JSON is ignored. Nulls are already stripped.
 */
import type {PyValue} from '../templates/pyvalue.js'

/** One entry of `container.docker.portMappings` / `container.portMappings`. */
export interface PortMapping {
  readonly containerPort: number | undefined
  readonly servicePort: number | undefined
}

/** One Marathon health check; `raw` is the whole object (templates get it as `healthCheck`). */
export interface HealthCheck {
  readonly raw: {readonly [key: string]: PyValue}
  readonly protocol: string | undefined
  readonly portIndex: number | undefined
  readonly port: number | undefined
  readonly path: string | undefined
  readonly timeoutSeconds: number | undefined
  readonly intervalSeconds: number | undefined
  readonly gracePeriodSeconds: number | undefined
  readonly maxConsecutiveFailures: number | undefined
}

/** One task of an app. */
export interface Task {
  readonly id: string
  /** Agent host name or IP; empty when Marathon gave none. */
  readonly host: string
  readonly ports: readonly number[]
  readonly state: string | undefined
  /**
   * The first `ipAddresses[].ipAddress` (entries without one are passed over), the address
   * HAProxy connects to with IP-per-task; undefined when there is none.
   */
  readonly ipAddress: string | undefined
  /**
   * Whether any `healthCheckResults[].alive` is `true`; undefined when the task has no such
   * field (spec §5.3 tells a task without results from one whose results are all dead). Only
   * this is ever read, so the per-result lists are not kept: 25,000 tasks, 25,000 lists fewer.
   */
  readonly alive: boolean | undefined
  /** Set by the blue/green merge (spec §5.15): rendered as a ` disabled` server. */
  readonly draining: boolean
}

/** One Marathon app. */
export interface App {
  readonly id: string
  readonly labels: Readonly<Record<string, string>>
  readonly instances: number
  /** Legacy `ports`, when present. */
  readonly ports: readonly number[] | undefined
  /** `portDefinitions[].port` (entries without a port are left out), when present. */
  readonly portDefinitions: readonly number[] | undefined
  /** `ipAddress` is a non-empty object (IP-per-task, Marathon ≤1.4). */
  readonly hasIpAddress: boolean
  /** `ipAddress.discovery.ports[].number`. */
  readonly discoveryPorts: readonly number[]
  readonly dockerNetwork: string | undefined
  readonly dockerPortMappings: readonly PortMapping[]
  readonly containerPortMappings: readonly PortMapping[]
  /** `networks[].mode` (undefined where an entry has no mode). */
  readonly networkModes: readonly (string | undefined)[]
  readonly healthChecks: readonly HealthCheck[]
  readonly lastScalingAt: string | undefined
  readonly tasks: readonly Task[]
}
