/**
 * How the daemon drives HAProxy (docs/haproxy.md): its file paths from the daemon flags, the
 * template globals they imply, and the reloader: the supervised master (default) or marathon-lb's
 * external `--command` (spec §6.6), for HAProxy run elsewhere.
 */
import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'

import type {Clock} from '../clock.js'
import {ARCHIVE, type DeployOptions} from '../haproxy/deploy.js'
import {RuntimeFastPath} from '../haproxy/deploy-runtime.js'
import {createCommandReloader, createMasterReloader, type Reloader} from '../haproxy/reload.js'
import {RuntimeServers} from '../haproxy/runtime-servers.js'
import {defaultLayout} from '../haproxy/stage.js'
import {HaproxySupervisor} from '../haproxy/supervisor.js'
import type {Logger} from '../log.js'
import type {Metrics} from '../metrics.js'
import type {TemplateGlobals} from '../templates/template-set.js'
import type {DaemonFlags, ServeOptions} from './options.js'

/** Files of one daemon's HAProxy. */
export interface HaproxyPaths {
  /** `--haproxy-config`, absolute (HAProxy's `-f`, read back by getconfig.lua). */
  readonly configFile: string
  readonly statsSocket: string
  readonly masterSocket: string
  readonly pidFile: string
  /** `<state dir>/global`, the file `load-server-state-from-file global` reads. */
  readonly serverStateFile: string
}

/** Paths under `--haproxy-run-dir` and `--haproxy-state-dir` (marathon-lb's `socket` name kept). */
export function haproxyPaths(options: ServeOptions, cwd: string): HaproxyPaths {
  const d = options.daemon
  return {
    configFile: resolve(cwd, options.haproxyConfig),
    statsSocket: join(d.haproxyRunDir, 'socket'),
    masterSocket: join(d.haproxyRunDir, 'master.sock'),
    pidFile: join(d.haproxyRunDir, 'haproxy.pid'),
    serverStateFile: join(d.haproxyStateDir, 'global'),
  }
}

/** The default HEAD's globals from the daemon flags; the defaults render marathon-lb's bytes. */
export function templateGlobalsFor(d: DaemonFlags): Partial<TemplateGlobals> {
  return {
    statsSocket: join(d.haproxyRunDir, 'socket'),
    serverStateBase: d.haproxyStateDir,
    statsBind: d.statsBind,
    httpBind: d.httpBind,
    httpsBind: d.httpsBind,
    appIdBind: d.appIdBind,
    maxconn: String(d.haproxyMaxconn),
    extraGlobal: d.haproxyGlobal.map((line) => `  ${line.trim()}\n`).join(''),
  }
}

/** Deploy options without a reloader (first deploy, before HAProxy runs). */
export function baseDeployOptions(options: ServeOptions, paths: HaproxyPaths, archiveDir: string, clock: Clock): DeployOptions {
  return {
    layout: defaultLayout(options.haproxyConfig, options.generate.haproxyMap),
    skipValidation: options.skipValidation,
    archive: {dir: archiveDir, versions: options.archiveVersions},
    validate: {haproxyBin: options.daemon.haproxyBin},
    serverState: {file: paths.serverStateFile, statsSocket: paths.statsSocket},
    clock,
  }
}

/** Retry policy of either reloader (`--max-reload-retries`, `--reload-interval`). */
function retryPolicy(options: ServeOptions, clock: Clock): {maxReloadRetries: number; reloadIntervalMs: number; pollMs: number; clock: Clock} {
  // `show proc` every 10 ms: a confirmation comes ~20 ms sooner than at the 50 ms default, which
  // counts against the 250 ms event-to-traffic budget (issue 4), for a few cheap socket calls.
  return {maxReloadRetries: options.maxReloadRetries, reloadIntervalMs: options.reloadIntervalSeconds * 1000, pollMs: 10, clock}
}

/** `--command`: the external reload command, confirmed through a master socket when one exists. */
export function commandReloader(options: ServeOptions, paths: HaproxyPaths, clock: Clock): Reloader | undefined {
  if (options.command === undefined) return undefined
  // Without a master socket every reload would first wait for one: only use it when it is there.
  const master = existsSync(paths.masterSocket) ? {masterSocket: paths.masterSocket} : {}
  return createCommandReloader({command: options.command, ...retryPolicy(options, clock), ...master})
}

/**
 * The runtime-API fast path of a supervised HAProxy, unless `--no-runtime-api` or
 * `--skip-validation` (the file written without a reload must still pass `haproxy -c`).
 */
export function runtimeFastPath(options: ServeOptions, deploy: DeployOptions, masterSocket: string, logger: Logger): RuntimeFastPath | undefined {
  if (!options.daemon.runtimeApi || options.skipValidation) return undefined
  const {clock} = deploy
  const servers = new RuntimeServers({masterSocket, clock, onNote: (msg, fields) => logger.info(msg, fields)})
  return new RuntimeFastPath({
    servers, layout: deploy.layout, archive: deploy.archive, archiveName: ARCHIVE.config, clock,
    ...(deploy.validate === undefined ? {} : {validate: deploy.validate}),
  })
}

/** What {@link startSupervised} needs. */
export interface SupervisedDeps {
  readonly options: ServeOptions
  readonly paths: HaproxyPaths
  readonly mlbPidFile: string
  readonly clock: Clock
  readonly logger: Logger
  readonly metrics: Metrics
  /** Soft-stop bound on shutdown before SIGTERM (default 10 s). */
  readonly softStopMs?: number
}

/** Starts HAProxy under the supervisor; returns it with the master-CLI reloader. */
export async function startSupervised(deps: SupervisedDeps): Promise<{supervisor: HaproxySupervisor; reloader: Reloader}> {
  const {options, paths, clock, logger, metrics} = deps
  let lastDraining = ''
  const supervisor = new HaproxySupervisor({
    configFile: paths.configFile, masterSocket: paths.masterSocket, pidFile: paths.pidFile, mlbPidFile: deps.mlbPidFile,
    haproxyBin: options.daemon.haproxyBin, clock, logger, hardStopAfterMs: options.daemon.hardStopAfterSeconds * 1000,
    ...(deps.softStopMs === undefined ? {} : {softStopMs: deps.softStopMs}),
    onWorkers: (status, draining) => {
      const oldest = draining.reduce((m, w) => Math.max(m, w.drainingSec), 0)
      metrics.setHaproxyWorkers(status.workers.length, draining.length, oldest)
      const now = draining.map((w) => w.pid).join(',')
      // One line when the set of draining workers changes, with their ages.
      if (now !== lastDraining) logger.info('old HAProxy workers draining', {count: draining.length, workers: draining.map((w) => `${w.pid}:${Math.round(w.drainingSec)}s`).join(' ')})
      lastDraining = now
    },
  })
  const table = await supervisor.start()
  metrics.setHaproxyWorkers(table.workers.length, table.oldWorkers.length)
  return {supervisor, reloader: createMasterReloader(paths.masterSocket, retryPolicy(options, clock))}
}
