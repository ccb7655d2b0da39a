/** The per-service model the renderer consumes (one app × one service port, spec §5). */
import type {PortLabels} from '../labels/parse.js'
import type {HealthCheck} from './types.js'

/** One backend server (a task's IP and port for this service). */
export interface Server {
  readonly host: string
  readonly ip: string
  readonly port: number
  readonly name: string
  readonly draining: boolean
}

/** One service: frontend + backend in the config. */
export interface Service {
  readonly appId: string
  /** Index of the service port in the app's service-port list. */
  readonly portIndex: number
  /** The bound port (after `HAPROXY_{n}_PORT`). */
  readonly servicePort: number
  readonly backend: string
  readonly labels: PortLabels
  /** The app's `HAPROXY_GROUP` groups. */
  readonly appGroups: readonly string[]
  /** Own health check, or the one borrowed through BACKEND_HEALTHCHECK_PORT_INDEX. */
  readonly healthCheck: HealthCheck | undefined
  readonly mode: 'http' | 'tcp'
  /** Servers sorted by (host, port), ties broken by IP and name for determinism. */
  readonly servers: readonly Server[]
  /**
   * Port for the backend-level health-check options (spec §5.9); undefined means the first
   * server's own port.
   */
  readonly backendCheckPort: number | undefined
  /**
   * Port for each server's health-check options by server position, set with
   * BACKEND_HEALTHCHECK_PORT_INDEX; undefined means the check's own `port` field for every server.
   */
  readonly serverCheckPorts: readonly number[] | undefined
}
