/**
 * Server names of tasks, computed by the same code `mlb serve` uses (src/model): networking mode,
 * task IP and port per spec §5.4, then sanitize(`host_ip_port`) per §5.6. zdd.py had its own,
 * different rule (only `.` replaced, host ports even for IP-per-task apps, spec §10.40), which
 * made it wait forever on such apps.
 */
import {isIPv4} from 'node:net'

import {parseMarathonApps} from '../model/apps.js'
import {serverName} from '../model/naming.js'
import {networkingMode, taskIp, taskPorts} from '../model/networking.js'
import type {App} from '../model/types.js'
import type {Resolve4} from './lb.js'
import type {ServerNamer, ZddApp} from './state.js'

/** A server namer plus the edge step that resolves task host names before planning. */
export interface ServerNaming {
  readonly serverName: ServerNamer
  /** Resolves the (non-IP) task hosts of `apps`; failures leave a host unresolved (unroutable, as in serve). */
  prepare(apps: readonly ZddApp[]): Promise<void>
}

/** Creates a {@link ServerNaming} that resolves hosts with `resolve4` and remembers the answers. */
export function createServerNaming(resolve4: Resolve4): ServerNaming {
  const hostIps = new Map<string, string>()
  const parsed = new WeakMap<ZddApp, App | undefined>()
  const coreApp = (app: ZddApp): App | undefined => {
    if (!parsed.has(app)) parsed.set(app, parseMarathonApps({apps: [app.json]}).apps[0])
    return parsed.get(app)
  }
  return {
    serverName: (app, task) => {
      const core = coreApp(app)
      const t = core?.tasks.find((x) => x.id === task.id)
      if (core === undefined || t === undefined) return undefined
      const mode = networkingMode(core)
      const ip = taskIp(mode, t, hostIps)
      // The group's backend is `<group>_<HAPROXY_0_PORT>`: the task's first port (zdd is single-port).
      const port = taskPorts(core, mode, t)[0]
      return ip === undefined || port === undefined ? undefined : serverName(t.host, ip, port)
    },
    prepare: async (apps) => {
      const hosts = new Set(apps.flatMap((a) => a.tasks.map((t) => t.host)).filter((h) => h !== '' && !isIPv4(h) && !hostIps.has(h)))
      await Promise.all(
        [...hosts].map(async (h) => {
          try {
            const [ip] = await resolve4(h)
            if (ip !== undefined) hostIps.set(h, ip)
          } catch {
            // Unresolvable now: the task has no server name this poll, as serve leaves it out.
          }
        }),
      )
    },
  }
}
