/**
 * `mlb serve` as a daemon (issue 4): pid file, templates loaded once, a first resync and deploy,
 * then HAProxy under the supervisor (or `--command`), the watcher (events or poll) driving the
 * scheduler, and the metrics server. Signals are the caller's (serve-main.ts): it maps SIGHUP to
 * {@link Daemon.resync}, SIGUSR1 to {@link Daemon.reload} and SIGTERM/SIGINT to {@link Daemon.stop}.
 */
import {existsSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {systemClock, type Clock} from '../clock.js'
import {errorMessage} from '../errors.js'
import type {HaproxySupervisor, HaproxyStatus} from '../haproxy/supervisor.js'
import type {Reloader} from '../haproxy/reload.js'
import type {Logger} from '../log.js'
import {authFromFlags} from '../marathon/auth.js'
import {MarathonClient} from '../marathon/client.js'
import {HostResolver, systemLookup} from '../marathon/dns.js'
import {reusingLbApps} from '../marathon/lb-fields.js'
import {backoffWithMax} from '../marathon/event-backoff.js'
import {Metrics, startMetricsServer, type MetricsServer} from '../metrics.js'
import {removeOwnPidFile, writePidFile} from '../pid-file.js'
import {loadTemplateSet} from '../templates/load.js'
import {baseDeployOptions, commandReloader, haproxyPaths, runtimeFastPath, startSupervised, templateGlobalsFor} from './daemon-haproxy.js'
import {createDaemonWork, type DaemonWork} from './daemon-work.js'
import {claimInstance, stopOrphanMaster} from './instance.js'
import type {ServeOptions} from './options.js'
import type {SchedulerTiming} from './scheduler.js'
import {Watcher, type WatchSource} from './watch.js'

/** Everything {@link startDaemon} takes; only `options`, `env`, `cwd` and `logger` are required. */
export interface DaemonConfig {
  readonly options: ServeOptions
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly logger: Logger
  readonly clock?: Clock
  /** Folder of the archived configs (marathon-lb: /tmp). */
  readonly archiveDir?: string
  /** Marathon read timeout (default marathon-lb's 46 s); a hung host costs this much per resync. */
  readonly marathonReadTimeoutMs?: number
  /** Event-stream stall bound (default 30 s). */
  readonly stallTimeoutMs?: number
  readonly timing?: Partial<SchedulerTiming>
  /** Address of the metrics server (default 0.0.0.0). */
  readonly metricsHost?: string
  /** Soft-stop bound of HAProxy on shutdown (default 10 s). */
  readonly softStopMs?: number
  /** Aborts a start-up still waiting for a first valid configuration. */
  readonly signal?: AbortSignal
}

/** A running daemon. */
export interface Daemon {
  readonly metrics: Metrics
  /** `http://host:port` of `/metrics` and `/health`, when the server runs. */
  readonly metricsUrl: string | undefined
  /** SIGHUP: resync from Marathon and regenerate. */
  resync(reason?: string): void
  /** SIGUSR1: validate and reload the config in place, without asking Marathon. */
  reload(reason?: string): void
  /** Resolves once no work runs or waits. */
  idle(): Promise<void>
  /** HAProxy's master, workers and old workers (undefined with `--command`). */
  haproxyStatus(): Promise<HaproxyStatus | undefined>
  /** Apps excluded by the last bisection, with their validation errors. */
  excluded(): ReadonlyMap<string, string | undefined>
  /** Stops the watcher, the metrics server and HAProxy; removes the pid file. Idempotent. */
  stop(): Promise<void>
}

const FIRST_RESYNC_RETRY_MS = 2000

/**
 * Resyncs until a configuration is on disk: a Marathon that is down at start-up is retried, and
 * a config left by a previous run is good enough to start HAProxy with.
 */
async function firstDeploy(work: DaemonWork, configFile: string, config: DaemonConfig, clock: Clock): Promise<void> {
  for (;;) {
    try {
      await work.resync()
    } catch (err) {
      config.logger.error('first resync failed', {error: errorMessage(err)})
    }
    if (existsSync(configFile)) return
    config.logger.warn('no configuration to start HAProxy with yet; retrying', {inMs: FIRST_RESYNC_RETRY_MS})
    await clock.sleep(FIRST_RESYNC_RETRY_MS, config.signal)
  }
}

function watchSource(options: ServeOptions, client: MarathonClient, stallTimeoutMs: number | undefined): WatchSource {
  if (options.watch.kind === 'poll') return {kind: 'poll', intervalMs: options.watch.intervalSeconds * 1000}
  return {
    kind: 'events',
    stream: {
      urls: options.marathonUrls, authorization: () => client.authorization(), backoff: backoffWithMax(options.maxBackoffSeconds),
      ...(options.caCertPath === undefined ? {} : {caCertPath: options.caCertPath}),
      ...(stallTimeoutMs === undefined ? {} : {stallTimeoutMs}),
    },
  }
}

/** Starts the daemon; resolves once HAProxy serves the first configuration and Marathon is watched. */
export async function startDaemon(config: DaemonConfig): Promise<Daemon> {
  const {options, logger} = config
  const clock = config.clock ?? systemClock
  const d = options.daemon
  const paths = haproxyPaths(options, config.cwd)
  const cleanups: Array<() => Promise<void>> = []
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => logger.error('shutdown step failed', {error: errorMessage(err)}))
  }
  // Before anything is written: a running mlb's files are not ours to take (instance.ts).
  const supervised = options.command === undefined
  const {lock, orphan} = await claimInstance({
    pidFile: d.pidFile,
    haproxy: supervised ? {masterSocket: resolve(config.cwd, paths.masterSocket), pidFile: resolve(config.cwd, paths.pidFile)} : undefined,
  }, logger)
  cleanups.push(() => lock.release())
  try {
    await writePidFile(d.pidFile)
    cleanups.push(() => removeOwnPidFile(d.pidFile))
    for (const dir of [d.haproxyRunDir, d.haproxyStateDir, dirname(paths.configFile)]) await mkdir(dir, {recursive: true})
    const templates = loadTemplateSet({env: config.env, cwd: config.cwd, globals: templateGlobalsFor(d)})
    const auth = await authFromFlags(options.auth, {caCertPath: options.caCertPath, logger})
    const client = new MarathonClient({
      urls: options.marathonUrls, auth, caCertPath: options.caCertPath, logger,
      ...(config.marathonReadTimeoutMs === undefined ? {} : {readTimeoutMs: config.marathonReadTimeoutMs}),
    })
    // Stopping aborts a Marathon request in flight first: a hung Marathon must not hold SIGTERM
    // for the 46 s read timeout (past a container runtime's stop timeout).
    let destroyed: Promise<void> | undefined
    const abortMarathon = (): Promise<void> => (destroyed ??= client.destroy())
    cleanups.push(abortMarathon)
    const metrics = new Metrics({clock})
    // Apps unchanged since the last fetch come back as the same objects: an event costs what it changed.
    const reuse = reusingLbApps()
    let deployOptions = {...baseDeployOptions(options, paths, config.archiveDir ?? '/tmp', clock), reloader: commandReloader(options, paths, clock)}
    const work = createDaemonWork({
      getApps: async () => {
        const body = await client.getApps({reuse})
        logger.debug(`read Marathon's apps: ${reuse.readAgain} read, ${reuse.reused} unchanged since the last read`)
        return body
      },
      resolver: new HostResolver(options.lruCacheCapacity, systemLookup, logger),
      templates, options: options.generate, skipConfigCleanup: options.skipConfigCleanup, deployOptions: () => deployOptions,
      healthMemoryCapacity: options.lruCacheCapacity, logger, metrics, clock,
    })
    await firstDeploy(work, paths.configFile, config, clock)
    let supervisor: HaproxySupervisor | undefined
    let orphanStopped: Promise<void> | undefined
    if (deployOptions.reloader === undefined) {
      const started = await startSupervised({
        options, paths, mlbPidFile: d.pidFile, clock, logger, metrics, ...(config.softStopMs === undefined ? {} : {softStopMs: config.softStopMs}),
      })
      supervisor = started.supervisor
      // Both masters stop together: a stop must not wait out one soft-stop bound, then the other.
      cleanups.push(async () => void (await Promise.all([started.supervisor.stop(), orphanStopped])))
      // Ours serves now: the master an earlier mlb left would keep answering with its stale config.
      if (orphan !== undefined) orphanStopped = stopOrphanMaster(orphan, {clock, logger, softStopMs: config.softStopMs})
      const runtime = runtimeFastPath(options, deployOptions, paths.masterSocket, logger)
      if (runtime !== undefined) cleanups.push(() => runtime.stop())
      deployOptions = {...deployOptions, reloader: started.reloader satisfies Reloader, runtime}
    }
    const watcher = new Watcher({
      source: watchSource(options, client, config.stallTimeoutMs), clock, logger, metrics,
      run: async (w) => {
        if (w.kind === 'reload') return void (await work.reload())
        const r = await work.resync()
        // Cheap only when nothing changed or the runtime API took it; anything else (a reload,
        // a refused config and its bisection) keeps the normal throttle.
        return {reloaded: !(r !== undefined && r.valid && (!r.changed || r.runtime !== undefined))}
      },
      ...(config.timing === undefined ? {} : {timing: config.timing}),
    })
    let server: MetricsServer | undefined
    if (d.metricsPort > 0) {
      server = await startMetricsServer({metrics, health: () => watcher.health(), port: d.metricsPort, logger, ...(config.metricsHost === undefined ? {} : {host: config.metricsHost})})
      const s = server
      cleanups.push(() => s.close())
    }
    watcher.start()
    cleanups.push(() => watcher.stop())
    logger.info('mlb serve is running', {pid: process.pid, haproxyMaster: supervisor?.masterPid, mode: options.watch.kind, reload: deployOptions.reloader?.mode, runtimeApi: deployOptions.runtime !== undefined})
    let stopping: Promise<void> | undefined
    const stopNow = async (): Promise<void> => {
      const watching = watcher.stop() // no new work from here on
      await abortMarathon()
      await watching
      await cleanup()
    }
    return {
      metrics,
      metricsUrl: server?.url,
      resync: (reason = 'signal') => watcher.requestResync(reason),
      reload: (reason = 'signal') => watcher.requestReload(reason),
      idle: () => watcher.idle(),
      haproxyStatus: async () => supervisor?.status(),
      excluded: () => work.excluded(),
      stop: () => (stopping ??= stopNow().then(() => logger.info('mlb serve stopped'))),
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}
