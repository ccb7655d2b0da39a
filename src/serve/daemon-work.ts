/**
 * The daemon's two kinds of work (docs/watching.md "The scheduler"): a resync (fetch apps,
 * resolve hosts, generate, log skipped apps, deploy; on a refused config find the offending app
 * units by bisection and serve the others) and a reload of the config in place (SIGUSR1).
 * Every outcome is logged here, one line each, and counted in the metrics; a failure to reach
 * Marathon throws before anything is written, so the running config is kept (spec §6.3).
 * "Refused" covers `haproxy -c` and a new `bind` address that cannot be bound (binds.ts), which
 * `haproxy -c` accepts but the reload would fail on.
 */
import {createServer} from 'node:net'

import type {Clock} from '../clock.js'
import {generateConfig, GenerateMemo, type GeneratedConfig, type GenerateOptions} from '../generate.js'
import {formatCheckMessages} from '../haproxy/check-output.js'
import {findInvalidUnits, type BisectResult} from '../haproxy/bisect.js'
import {firstUnbindable, isBindRefusal, type BindAddress, type BindRefusal, type TrialBind} from '../haproxy/binds.js'
import {deployConfig, reloadCurrentConfig, type DeployOptions, type DeployResult} from '../haproxy/deploy.js'
import {readTextOrUndefined} from '../haproxy/files.js'
import {checkCandidate, type ConfigFiles} from '../haproxy/stage.js'
import type {Logger} from '../log.js'
import type {Metrics} from '../metrics.js'
import type {TemplateSet} from '../templates/template-set.js'
import {appUnits, bodyOf, unitKey, type AppUnit} from './daemon-units.js'
import {hostsToResolve} from './hosts.js'
import {regenerate} from './regenerate.js'

/** What the work needs from the daemon. */
export interface DaemonWorkDeps {
  readonly getApps: () => Promise<unknown>
  readonly resolver: {resolveAll(hosts: Iterable<string>): Promise<ReadonlyMap<string, string>>}
  readonly templates: TemplateSet
  readonly options: GenerateOptions
  /** `--skip-config-cleanup`: a refused config is not bisected, the running one stays. */
  readonly skipConfigCleanup: boolean
  /** Current deploy options (the reloader is added once HAProxy runs). */
  readonly deployOptions: () => DeployOptions
  /** Size of the task-health memory (`--lru-cache-capacity`, spec §5.3). */
  readonly healthMemoryCapacity: number
  readonly logger: Logger
  readonly metrics: Metrics
  readonly clock: Clock
  /** How a new bind address is tried (default {@link listenOnce}; tests pass a fake). */
  readonly tryBind?: TrialBind
}

/** The daemon's work, plus what it last excluded. */
export interface DaemonWork {
  /** Full resync; throws when Marathon cannot be read (nothing is written then). */
  resync(): Promise<DeployResult | undefined>
  /** SIGUSR1: validate and reload the config in place. */
  reload(): Promise<DeployResult>
  /** App ids excluded by the last bisection, with the reason that excluded each. */
  excluded(): ReadonlyMap<string, string | undefined>
}

const filesOf = (g: GeneratedConfig): ConfigFiles => ({config: g.config, domainMap: g.domainMap, appMap: g.appMap})

/** Listens on `address` and closes at once: the real {@link TrialBind}. */
export function listenOnce(address: BindAddress): Promise<BindRefusal | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    // Another error (no IPv6 on the host…) says nothing about a conflict: HAProxy will tell.
    server.once('error', (err: NodeJS.ErrnoException) => resolve(isBindRefusal(err.code) ? err.code : undefined))
    server.listen({host: address.host, port: address.port}, () => server.close(() => resolve(undefined)))
  })
}

const invalidConfig = (alerts: string | undefined): string => `invalid HAProxy configuration: ${alerts ?? 'haproxy -c failed'}`

/** The result of a deployment stopped before staging because a new bind cannot be bound. */
function bindRefused(reason: string, durationMs: number): DeployResult {
  return {
    changed: true, valid: false, written: false, reloaded: false, serverStateSaved: false,
    durations: {validateMs: durationMs, writeMs: 0, reloadMs: 0, totalMs: durationMs},
    errors: [`configuration kept out of HAProxy: ${reason}`], warnings: [],
  }
}

/** Logs a deployment's outcome, one line, and records reloads in the metrics. */
export function reportDeploy(r: DeployResult, logger: Logger, metrics: Metrics): void {
  for (const e of r.errors) logger.error(e)
  for (const w of r.warnings) logger.warn(w)
  if (!r.changed) {
    logger.debug('configuration unchanged, no reload')
    return
  }
  if (r.reload !== undefined) metrics.recordReload(r.reload.durationMs, r.reload.ok)
  const d = r.durations
  const timing = {validateMs: Math.round(d.validateMs), writeMs: Math.round(d.writeMs), reloadMs: Math.round(d.reloadMs), totalMs: Math.round(d.totalMs)}
  if (r.runtime !== undefined) {
    metrics.recordRuntimeApply()
    logger.info('applied through the runtime API (no reload)', {...r.runtime, totalMs: timing.totalMs})
    return
  }
  if (r.reloaded) logger.info('reloaded HAProxy', {...(r.reloadReason === undefined ? {} : {reason: r.reloadReason}), durationMs: Math.round(r.reload?.durationMs ?? 0), worker: r.reload?.worker, attempts: r.reload?.attempts, confirmed: r.reload?.confirmed, ...timing})
  else if (r.written && r.reload === undefined) logger.info('wrote the configuration (HAProxy not reloaded)', timing)
}

/** Builds the work functions around one set of dependencies. */
export function createDaemonWork(deps: DaemonWorkDeps): DaemonWork {
  const health = new Map<string, boolean>()
  // With the reader's reuse of unchanged apps (daemon.ts), an event regenerates what it changed.
  const memo = new GenerateMemo()
  let excluded = new Map<string, string | undefined>()
  let excludedUnits = new Set<string>()
  const {logger, metrics} = deps
  const tryBind = deps.tryBind ?? listenOnce

  const remember = (observed: Iterable<readonly [string, boolean]>): void => {
    for (const [task, alive] of observed) {
      health.delete(task)
      health.set(task, alive)
    }
    // Map order is insertion order: the first keys are the least recently seen tasks.
    for (const key of health.keys()) {
      if (health.size <= deps.healthMemoryCapacity) break
      health.delete(key)
    }
  }

  const setExcluded = (units: BisectResult<AppUnit>['invalid']): void => {
    excluded = new Map(units.flatMap((u) => u.unit.appIds.map((id) => [id, u.error] as const)))
    excludedUnits = new Set(units.map((u) => unitKey(u.unit)))
    metrics.setExcludedApps([...excluded.keys()])
  }

  // The text of the configuration file as mlb last left it (what HAProxy was reloaded with), so
  // a resync does not read the whole file back only to compare its binds: read once, at the first
  // resync, then kept up to date by every deploy.
  let deployed: string | undefined
  let deployedKnown = false
  const runningConfig = async (file: string): Promise<string | undefined> => {
    if (!deployedKnown) {
      deployed = await readTextOrUndefined(file)
      deployedKnown = true
    }
    return deployed
  }
  const deploy = async (files: ConfigFiles, opts: DeployOptions): Promise<DeployResult> => {
    const r = await deployConfig(files, opts)
    if (r.written) deployed = files.config
    return r
  }

  // `running` is the deployed config: its binds are the running HAProxy's, not tried again.
  const bisect = async (marathon: unknown, running: string | undefined, fullSetError: string): Promise<void> => {
    const t0 = deps.clock.monotonic()
    const units = appUnits(marathon)
    const hostIps = await deps.resolver.resolveAll(hostsToResolve(marathon))
    const render = (subset: readonly AppUnit[]): GeneratedConfig =>
      generateConfig({marathon: bodyOf(subset), options: deps.options, templates: deps.templates, hostIps, healthMemory: health, memo})
    const opts = deps.deployOptions()
    let checks = 0
    const check = async (subset: readonly AppUnit[]): Promise<{valid: boolean; error?: string}> => {
      checks++
      const g = render(subset)
      const c = await checkCandidate(filesOf(g), opts.layout, {...opts.validate, clock: deps.clock})
      if (!c.valid) return {valid: false, error: invalidConfig(c.error)}
      const refused = await firstUnbindable(g.config, running, tryBind)
      return refused === undefined ? {valid: true} : {valid: false, error: refused}
    }
    const outcome = (await withoutPreviouslyExcluded(units, check)) ?? (await findInvalidUnits(units, check, {knownInvalid: true, fullSetError}))
    const ms = Math.round(deps.clock.monotonic() - t0)
    logger.info('bisection done', {units: units.length, excluded: outcome.invalid.length, validations: checks + 1, durationMs: ms})
    if (outcome.valid.length === 0) {
      logger.error('no valid configuration can be built from Marathon\'s apps; keeping the running one')
      return
    }
    for (const bad of outcome.invalid) {
      for (const id of bad.unit.appIds) logger.error(`excluded app ${id}: ${bad.error ?? invalidConfig(undefined)}`, {appId: id})
    }
    setExcluded(outcome.invalid)
    // The chosen subset was just validated as a whole: deploy it without a second `haproxy -c`.
    reportDeploy(await deploy(filesOf(render(outcome.valid)), {...opts, skipValidation: true}), logger, metrics)
  }

  // The units excluded last time are usually still bad: one check confirms it without a bisection.
  const withoutPreviouslyExcluded = async (
    units: readonly AppUnit[],
    check: (subset: readonly AppUnit[]) => Promise<{valid: boolean; error?: string}>,
  ): Promise<BisectResult<AppUnit> | undefined> => {
    const kept = units.filter((u) => !excludedUnits.has(unitKey(u)))
    if (excludedUnits.size === 0 || kept.length === units.length || kept.length === 0) return undefined
    if (!(await check(kept)).valid) return undefined
    const invalid = units.filter((u) => excludedUnits.has(unitKey(u))).map((unit) => ({unit, error: excluded.get(unit.appIds[0] ?? '')}))
    return {valid: kept, invalid, checks: 1}
  }

  return {
    resync: async () => {
      const marathon = await deps.getApps()
      const full = await regenerate({
        marathon: {getApps: () => Promise.resolve(marathon)}, resolver: deps.resolver, hostsOf: hostsToResolve, templates: deps.templates,
        options: deps.options, logger, healthMemory: health, memo, generate: generateConfig,
      })
      remember(full.healthObservations)
      const opts = deps.deployOptions()
      // --skip-validation skips the bind check too: both only protect the reload.
      const t0 = deps.clock.monotonic()
      const running = opts.skipValidation ? undefined : await runningConfig(opts.layout.configFile)
      const unbindable = opts.skipValidation ? undefined : await firstUnbindable(full.config, running, tryBind)
      const result = unbindable === undefined ? await deploy(filesOf(full), opts) : bindRefused(unbindable, deps.clock.monotonic() - t0)
      if (result.validation?.valid !== false && unbindable === undefined) {
        reportDeploy(result, logger, metrics)
        if (result.valid && excluded.size > 0) setExcluded([])
        return result
      }
      metrics.validationFailures.inc()
      for (const e of result.errors) logger.error(e)
      if (deps.skipConfigCleanup) {
        logger.error('keeping the running configuration (--skip-config-cleanup: no app is excluded)')
        return result
      }
      const alerts = result.validation !== undefined && result.validation.errors.length > 0 ? formatCheckMessages(result.validation.errors) : undefined
      await bisect(marathon, running, unbindable ?? invalidConfig(alerts))
      return result
    },
    reload: async () => {
      const r = await reloadCurrentConfig(deps.deployOptions())
      reportDeploy(r, logger, metrics)
      return r
    },
    excluded: () => excluded,
  }
}
