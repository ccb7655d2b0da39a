/**
 * A real HAProxy for tests: temp folder for sockets, state and config, free loopback ports,
 * master-worker mode through the library's own supervisor. Reused by the zdd and serve tests.
 * Every instance must be stopped (`await h.stop()`), which also removes its folder.
 */
import {execFileSync} from 'node:child_process'
import {mkdtemp, mkdir, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {systemClock} from '../src/clock.js'
import {MemoryLogger} from '../src/log.js'
import {luaDir} from '../src/paths.js'
import {HaproxySupervisor} from '../src/haproxy/supervisor.js'

/** Fails (never skips) with the install command when HAProxy is missing; returns `haproxy -v`. */
export function requireHaproxy(bin = 'haproxy'): string {
  try {
    return execFileSync(bin, ['-v'], {encoding: 'utf8'}).split('\n')[0] ?? ''
  } catch {
    throw new Error(`HAProxy is required for this test: apt-get install -y haproxy (looked for ${bin})`)
  }
}

/** `n` distinct free loopback ports (all held open together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({length: n}, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => resolve(s))
    })),
  )
  const ports = servers.map((s) => {
    const a = s.address()
    if (a === null || typeof a === 'string') throw new Error('no port')
    return a.port
  })
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
  return ports
}

/** One free loopback port. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number
}

/** Paths of a test instance's files, all inside one temp folder. */
export interface HaproxyPaths {
  readonly dir: string
  readonly configFile: string
  readonly masterSocket: string
  readonly statsSocket: string
  /** `server-state-base` folder; the state file is `<stateDir>/global`. */
  readonly stateDir: string
  readonly serverStateFile: string
  readonly pidFile: string
  /** Where a test writes the pid of the process playing mlb. */
  readonly mlbPidFile: string
}

/** Creates a temp folder laid out as {@link HaproxyPaths}. */
export async function makeHaproxyPaths(prefix = 'mlb-hap-'): Promise<HaproxyPaths> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const stateDir = join(dir, 'state')
  await mkdir(stateDir)
  return {
    dir,
    configFile: join(dir, 'haproxy.cfg'),
    masterSocket: join(dir, 'master.sock'),
    statsSocket: join(dir, 'stats.sock'),
    stateDir,
    serverStateFile: join(stateDir, 'global'),
    pidFile: join(dir, 'haproxy.pid'),
    mlbPidFile: join(dir, 'mlb.pid'),
  }
}

/** Default bound on old workers in tests (the recommendation for production is in docs/haproxy.md). */
export const TEST_HARD_STOP_AFTER = '15s'

/**
 * Soft-stop spreading (docs/haproxy.md): without it an old worker closes all idle keep-alive
 * connections at once, and clients that were just reusing one see a reset.
 */
export const TEST_CLOSE_SPREAD_TIME = '2s'

/**
 * `global` + `defaults` + `listen stats` modelled on marathon-lb's default HEAD
 * (fixtures/conformance/t-no-apps/expected.cfg), moved to loopback, temp paths and mlb's Lua
 * folder, plus `hard-stop-after`.
 */
export function headFor(paths: HaproxyPaths, statsPort: number, hardStopAfter = TEST_HARD_STOP_AFTER): string {
  const lua = luaDir()
  return `global
  maxconn 4096
  hard-stop-after ${hardStopAfter}
  close-spread-time ${TEST_CLOSE_SPREAD_TIME}
  stats socket ${paths.statsSocket} mode 600 level admin expose-fd listeners
  server-state-file global
  server-state-base ${paths.stateDir}/
  lua-load ${lua}/getpids.lua
  lua-load ${lua}/getconfig.lua
  lua-load ${lua}/getmaps.lua
  lua-load ${lua}/signalmlb.lua
defaults
  load-server-state-from-file global
  retries                   3
  backlog               10000
  maxconn               2000
  timeout connect          3s
  timeout client          30s
  timeout server          30s
  timeout tunnel        3600s
  timeout http-keep-alive  1s
  timeout http-request    15s
  timeout queue           30s
  option            dontlognull
  option            http-server-close
  option            redispatch
listen stats
  bind 127.0.0.1:${statsPort}
  balance
  mode http
  stats enable
  http-request use-service prometheus-exporter if { path /metrics }
  monitor-uri /_haproxy_health_check
  acl getpid path /_haproxy_getpids
  http-request use-service lua.getpids if getpid
  acl getvhostmap path /_haproxy_getvhostmap
  http-request use-service lua.getvhostmap if getvhostmap
  acl getappmap path /_haproxy_getappmap
  http-request use-service lua.getappmap if getappmap
  acl getconfig path /_haproxy_getconfig
  http-request use-service lua.getconfig if getconfig

  acl signalmlbhup path /_mlb_signal/hup
  http-request use-service lua.signalmlbhup if signalmlbhup
  acl signalmlbusr1 path /_mlb_signal/usr1
  http-request use-service lua.signalmlbusr1 if signalmlbusr1
`
}

/** An HTTP frontend on a loopback port routing to `servers` (`host:port` strings). */
export function httpProxy(name: string, port: number, servers: readonly string[], extra = ''): string {
  const lines = servers.map((s, i) => `  server ${name}_${i} ${s}${extra ? ` ${extra}` : ''}`)
  return `frontend ${name}_in\n  bind 127.0.0.1:${port}\n  mode http\n  default_backend ${name}\nbackend ${name}\n  mode http\n  balance roundrobin\n${lines.join('\n')}\n`
}

/** A started test HAProxy. */
export interface TestHaproxy extends HaproxyPaths {
  readonly statsPort: number
  readonly supervisor: HaproxySupervisor
  readonly logger: MemoryLogger
  /** `http://127.0.0.1:<statsPort><path>`. */
  statsUrl(path: string): string
  /** Stops HAProxy (SIGUSR1, then harder) and removes the temp folder. */
  stop(): Promise<void>
}

/** Options of {@link startTestHaproxy}. */
export interface StartOptions {
  /** Everything after the HEAD (frontends, backends). */
  readonly body?: string
  readonly hardStopAfter?: string
  readonly paths?: HaproxyPaths
  readonly statsPort?: number
  readonly softStopMs?: number
}

/** Writes HEAD + body and starts HAProxy under a supervisor. */
export async function startTestHaproxy(options: StartOptions = {}): Promise<TestHaproxy> {
  requireHaproxy()
  const paths = options.paths ?? (await makeHaproxyPaths())
  const statsPort = options.statsPort ?? (await freePort())
  await writeFile(paths.configFile, headFor(paths, statsPort, options.hardStopAfter) + (options.body ?? ''))
  const logger = new MemoryLogger()
  const supervisor = new HaproxySupervisor({
    configFile: paths.configFile,
    masterSocket: paths.masterSocket,
    pidFile: paths.pidFile,
    mlbPidFile: paths.mlbPidFile,
    clock: systemClock,
    logger,
    softStopMs: options.softStopMs ?? 2000,
    restart: {initialDelayMs: 100, maxDelayMs: 1000},
  })
  try {
    await supervisor.start()
  } catch (err) {
    await rm(paths.dir, {recursive: true, force: true})
    throw err
  }
  return {
    ...paths,
    statsPort,
    supervisor,
    logger,
    statsUrl: (path) => `http://127.0.0.1:${statsPort}${path}`,
    stop: async () => {
      await supervisor.stop()
      await rm(paths.dir, {recursive: true, force: true})
    },
  }
}
