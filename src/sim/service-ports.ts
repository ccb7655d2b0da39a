/**
 * Service-port assignment (marathon-api §3.1, `AssignDynamicServiceLogic.scala`): every `0`
 * service port gets a port the old version of the app had, else the lowest port of
 * [10000, 20000] no other app uses. Non-zero ports are kept.
 */
import {networkMode, servicePorts, type AppDefinition} from './app-types.js'
import {ApiError} from './api-error.js'

/** Marathon's `local_port_min`/`local_port_max`. */
export const SERVICE_PORT_RANGE = {min: 10000, max: 20000} as const

/** A service-port range (inclusive). */
export interface PortRange {
  readonly min: number
  readonly max: number
}

/**
 * Returns `app` with its zero service ports assigned from `range` (default Marathon's). `taken`
 * tells the ports other apps use.
 */
export function assignServicePorts(
  app: AppDefinition,
  previous: AppDefinition | undefined,
  taken: (port: number) => boolean,
  range: PortRange = SERVICE_PORT_RANGE,
): AppDefinition {
  const current = servicePorts(app)
  if (!current.includes(0)) return app
  const mine = new Set<number>(current.filter((p) => p !== 0))
  const used = {has: (p: number): boolean => mine.has(p) || taken(p), add: (p: number): void => void mine.add(p)}
  const reusable = (previous === undefined ? [] : servicePorts(previous)).filter((p) => p !== 0 && !used.has(p))
  let next: number = range.min
  const pick = (): number => {
    const again = reusable.shift()
    if (again !== undefined) return again
    while (used.has(next) && next <= range.max) next += 1
    if (next > range.max) throw new ApiError(422, {message: `No free service ports left in [${range.min}, ${range.max}]`})
    return next
  }
  const assigned = current.map((p) => {
    if (p !== 0) return p
    const port = pick()
    used.add(port)
    return port
  })
  if (networkMode(app) === 'host') {
    return {...app, portDefinitions: app.portDefinitions.map((d, i) => ({...d, port: assigned[i] ?? d.port}))}
  }
  const container = app.container
  if (container === undefined) return app
  return {...app, container: {...container, portMappings: container.portMappings.map((m, i) => ({...m, servicePort: assigned[i] ?? m.servicePort}))}}
}
