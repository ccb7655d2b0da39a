/**
 * Applying a new configuration safely (spec §6.4–6.6; style rules 6 and 7): unchanged bytes →
 * nothing; otherwise stage, validate, archive, rename into place, save server state, reload
 * and confirm. An invalid configuration never reaches HAProxy: the running files stay, the
 * rejected file is saved aside with HAProxy's output. The caller logs the returned facts.
 */
import {join} from 'node:path'
import {rename, writeFile} from 'node:fs/promises'
import type {Clock} from '../clock.js'
import {errorMessage} from '../errors.js'
import {formatCheckMessages} from './check-output.js'
import {archiveCopy, moveIntoPlace, readTextOrUndefined, removeQuietly, writeAtomic, writeTempFor, type ArchivePolicy} from './files.js'
import type {RuntimeFastPath} from './deploy-runtime.js'
import {workerCommand} from './master.js'
import type {ReloadResult, Reloader} from './reload.js'
import {showServersState} from './runtime.js'
import {discardStaged, stageFiles, type ConfigFiles, type FileLayout, type Staged} from './stage.js'
import {validateConfig, type ValidateOptions, type ValidationResult} from './validate.js'

/** Where `show servers state` is read from and written to before each reload (spec §2.3). */
export interface ServerStateOptions {
  /** `<server-state-base>/global`, the file the HEAD's `load-server-state-from-file` reads. */
  readonly file: string
  /** Read through the stats socket… */
  readonly statsSocket?: string
  /** …or, when no stats socket is given, through the master CLI (`@1 show servers state`). */
  readonly masterSocket?: string
}

/** Everything a deployment needs, built once by the daemon. */
export interface DeployOptions {
  readonly layout: FileLayout
  /** `--skip-validation`. */
  readonly skipValidation: boolean
  /** `--archive-versions` and the archive folder (default /tmp, as marathon-lb). */
  readonly archive: ArchivePolicy
  /** Where a rejected config is saved (default `<archive dir>/haproxy_tmp_conf_fail`). */
  readonly failedConfigFile?: string
  readonly validate?: ValidateOptions
  readonly serverState?: ServerStateOptions
  /** How to reload; undefined = write only (marathon-lb without a reload command). */
  readonly reloader?: Reloader | undefined
  /**
   * Runtime-API fast path (server-only changes without a reload); only with a master reloader
   * and validation on (`--no-runtime-api`, `--command` and `--skip-validation` leave it out).
   */
  readonly runtime?: RuntimeFastPath | undefined
  readonly clock: Clock
}

/** Durations of the phases, in ms. */
export interface DeployDurations {
  readonly validateMs: number
  readonly writeMs: number
  readonly reloadMs: number
  readonly totalMs: number
}

/** What one deployment did. */
export interface DeployResult {
  /** The bytes differ from what is on disk (always true for a reload of the current config). */
  readonly changed: boolean
  readonly valid: boolean
  /** The new files are in place. */
  readonly written: boolean
  readonly reloaded: boolean
  readonly validation?: ValidationResult
  readonly reload?: ReloadResult
  /** Set when the change went through the runtime API instead of a reload. */
  readonly runtime?: {readonly commands: number; readonly added: number; readonly removed: number; readonly toggled: number; readonly draining: number}
  /** Why the fast path was not taken, when it was on and the config changed. */
  readonly reloadReason?: string
  readonly serverStateSaved: boolean
  /** Where the rejected config was saved, when invalid. */
  readonly failedConfigFile?: string
  readonly durations: DeployDurations
  /** Failures the caller should log at error level (validation alerts, reload failure, I/O). */
  readonly errors: readonly string[]
  /** Things worth a warning (server state could not be saved…). */
  readonly warnings: readonly string[]
}

/** Archive names of spec §6.5. */
export const ARCHIVE = {config: 'hap_cfg', domainMap: 'domain_map', appMap: 'app_map', failed: 'haproxy_temp_config_fail'} as const

/** Default path for rejected configs: in the archive folder, not in the working directory (§10.25). */
export function defaultFailedConfigFile(archive: ArchivePolicy): string {
  return join(archive.dir, 'haproxy_tmp_conf_fail')
}

interface Timer {
  readonly clock: Clock
  readonly start: number
  validateMs: number
  writeMs: number
  reloadMs: number
}

async function timed<T>(t: Timer, phase: 'validateMs' | 'writeMs' | 'reloadMs', fn: () => Promise<T>): Promise<T> {
  const s = t.clock.monotonic()
  try {
    return await fn()
  } finally {
    t[phase] += t.clock.monotonic() - s
  }
}

function durations(t: Timer): DeployDurations {
  return {validateMs: t.validateMs, writeMs: t.writeMs, reloadMs: t.reloadMs, totalMs: t.clock.monotonic() - t.start}
}

/** Whether `files` differ from `running` and the maps on disk (maps count only in map mode, spec §6.4). */
async function hasChanged(files: ConfigFiles, running: string | undefined, layout: FileLayout): Promise<boolean> {
  if (running !== files.config) return true
  if (!layout.haproxyMap) return false
  return (
    (await readTextOrUndefined(layout.domainMapFile)) !== files.domainMap ||
    (await readTextOrUndefined(layout.appMapFile)) !== files.appMap
  )
}

/** Non-map mode keeps the map files empty (marathon-lb truncates them, spec §6.4). */
async function truncateStaleMaps(layout: FileLayout): Promise<void> {
  if (layout.haproxyMap) return
  for (const f of [layout.domainMapFile, layout.appMapFile]) {
    const text = await readTextOrUndefined(f)
    if (text !== undefined && text !== '') await writeAtomic(f, '')
  }
}

async function saveRejected(staged: Staged, v: ValidationResult, opts: DeployOptions): Promise<string> {
  const target = opts.failedConfigFile ?? defaultFailedConfigFile(opts.archive)
  await archiveCopy(staged.configTmp, ARCHIVE.failed, opts.archive)
  await rename(staged.configTmp, target)
  // HAProxy's own words next to it, since line numbers refer to this file.
  await writeFile(`${target}.err`, v.output)
  return target
}

async function putInPlace(staged: Staged, opts: DeployOptions): Promise<void> {
  const {layout, archive} = opts
  if (staged.domainMapTmp !== undefined) await moveIntoPlace(staged.domainMapTmp, layout.domainMapFile, ARCHIVE.domainMap, archive)
  if (staged.appMapTmp !== undefined) await moveIntoPlace(staged.appMapTmp, layout.appMapFile, ARCHIVE.appMap, archive)
  if (staged.sameBytes) {
    await moveIntoPlace(staged.configTmp, layout.configFile, ARCHIVE.config, archive)
    return
  }
  // Only the map paths differ from the checked bytes; the real maps are in place now.
  await removeQuietly(staged.configTmp)
  const tmp = await writeTempFor(layout.configFile, staged.finalConfig)
  await moveIntoPlace(tmp, layout.configFile, ARCHIVE.config, archive)
}

/** Saves `show servers state` for the next worker; returns a warning instead of throwing. */
export async function saveServerState(s: ServerStateOptions, clock: Clock): Promise<string | undefined> {
  try {
    const text = s.statsSocket !== undefined
      ? await showServersState(s.statsSocket, {clock})
      : s.masterSocket !== undefined
        ? await workerCommand(s.masterSocket, 'show servers state', {clock})
        : undefined
    if (text === undefined) return 'server state: neither a stats socket nor a master socket given'
    if (!/^\d+\n# be_id/.test(text)) return `server state not saved: unexpected answer ${JSON.stringify(text.slice(0, 100))}`
    await writeAtomic(s.file, text)
    return undefined
  } catch (err) {
    return `server state not saved: ${errorMessage(err)}`
  }
}

async function stateAndReload(t: Timer, opts: DeployOptions, warnings: string[]): Promise<{saved: boolean; reload?: ReloadResult}> {
  if (opts.reloader === undefined) return {saved: false}
  // The new worker has none of the servers still draining in the old one.
  opts.runtime?.servers.reloaded()
  let saved = false
  if (opts.serverState !== undefined) {
    const w = await timed(t, 'writeMs', () => saveServerState(opts.serverState!, opts.clock))
    if (w === undefined) saved = true
    else warnings.push(w)
  }
  const reload = await timed(t, 'reloadMs', () => opts.reloader!.reload())
  return {saved, reload}
}

/** Deploys `files`: see the module comment. Never throws for invalid configs or reload failures. */
export async function deployConfig(files: ConfigFiles, opts: DeployOptions): Promise<DeployResult> {
  const runtime = opts.runtime
  if (runtime === undefined || opts.reloader === undefined) return deployOnce(files, {...opts, runtime: undefined}, [], false)
  // Under the lock even without the fast path (the bisection deploys with --skip-validation
  // semantics): a deletion retry must not run during a reload.
  return runtime.servers.exclusive(async () => {
    const refused = await runtime.settle().catch((err: unknown) => `restoring the last good configuration failed: ${errorMessage(err)}`)
    if (refused === undefined) return deployOnce(files, opts, [], !opts.skipValidation)
    // The running worker holds servers of a refused file: reload, whatever the new bytes are.
    const r = await deployOnce(files, opts, [refused], false)
    return r.changed ? r : reloadCurrentOnce(opts, [refused])
  })
}

async function deployOnce(files: ConfigFiles, opts: DeployOptions, errors: string[], fastPath: boolean): Promise<DeployResult> {
  const t: Timer = {clock: opts.clock, start: opts.clock.monotonic(), validateMs: 0, writeMs: 0, reloadMs: 0}
  const warnings: string[] = []
  const base = {serverStateSaved: false, errors, warnings}
  let staged: Staged | undefined
  let reloadReason: string | undefined
  try {
    await truncateStaleMaps(opts.layout)
    const running = await readTextOrUndefined(opts.layout.configFile)
    if (!(await hasChanged(files, running, opts.layout))) {
      return {...base, changed: false, valid: true, written: false, reloaded: false, durations: durations(t)}
    }
    if (fastPath && opts.runtime !== undefined && running !== undefined) {
      const fast = await timed(t, 'reloadMs', () => opts.runtime!.tryApply(files, running))
      if (fast.applied) {
        const runtime = {commands: fast.commands, added: fast.added, removed: fast.removed, toggled: fast.toggled, draining: fast.draining}
        return {...base, changed: true, valid: true, written: true, reloaded: false, runtime, durations: durations(t)}
      }
      reloadReason = fast.reason
    }
    staged = await timed(t, 'writeMs', () => stageFiles(files, opts.layout))
    const st = staged
    let validation: ValidationResult | undefined
    if (!opts.skipValidation) {
      validation = await timed(t, 'validateMs', () => validateConfig(st.configTmp, {...opts.validate, clock: opts.clock}))
      if (!validation.valid) {
        const failedConfigFile = await saveRejected(st, validation, opts)
        await discardStaged(st)
        errors.push(`invalid configuration kept out of HAProxy: ${formatCheckMessages(validation.errors)}`)
        return {...base, changed: true, valid: false, written: false, reloaded: false, validation, failedConfigFile, durations: durations(t)}
      }
    }
    await timed(t, 'writeMs', () => putInPlace(st, opts))
    const {saved, reload} = await stateAndReload(t, opts, warnings)
    if (reload !== undefined && !reload.ok) errors.push(`reload failed: ${reload.error ?? 'unknown'}`)
    return {
      ...base,
      changed: true,
      valid: true,
      written: true,
      reloaded: reload?.ok === true,
      ...(validation ? {validation} : {}),
      ...(reload ? {reload} : {}),
      ...(reloadReason === undefined ? {} : {reloadReason}),
      serverStateSaved: saved,
      durations: durations(t),
    }
  } catch (err) {
    errors.push(`deploy failed: ${errorMessage(err)}`)
    if (staged !== undefined) await discardStaged(staged)
    return {...base, changed: true, valid: false, written: false, reloaded: false, durations: durations(t)}
  }
}

/**
 * SIGUSR1 / `/_mlb_signal/usr1` (spec §6.6): validate the configuration already in place
 * (unless `--skip-validation`) and reload it, without asking Marathon.
 */
export async function reloadCurrentConfig(opts: DeployOptions): Promise<DeployResult> {
  const runtime = opts.runtime
  if (runtime === undefined) return reloadCurrentOnce(opts, [])
  // Under the fast path's lock, after the verdict on the last file it wrote.
  return runtime.servers.exclusive(async () => {
    const refused = await runtime.settle().catch((err: unknown) => `restoring the last good configuration failed: ${errorMessage(err)}`)
    return reloadCurrentOnce(opts, refused === undefined ? [] : [refused])
  })
}

async function reloadCurrentOnce(opts: DeployOptions, errors: string[]): Promise<DeployResult> {
  const t: Timer = {clock: opts.clock, start: opts.clock.monotonic(), validateMs: 0, writeMs: 0, reloadMs: 0}
  const warnings: string[] = []
  let validation: ValidationResult | undefined
  if (!opts.skipValidation) {
    validation = await timed(t, 'validateMs', () => validateConfig(opts.layout.configFile, {...opts.validate, clock: opts.clock}))
    if (!validation.valid) {
      errors.push(`current configuration is invalid, not reloading: ${formatCheckMessages(validation.errors)}`)
      return {changed: true, valid: false, written: false, reloaded: false, validation, serverStateSaved: false, durations: durations(t), errors, warnings}
    }
  }
  const {saved, reload} = await stateAndReload(t, opts, warnings)
  if (reload !== undefined && !reload.ok) errors.push(`reload failed: ${reload.error ?? 'unknown'}`)
  return {
    changed: true,
    valid: true,
    written: false,
    reloaded: reload?.ok === true,
    ...(validation ? {validation} : {}),
    ...(reload ? {reload} : {}),
    serverStateSaved: saved,
    durations: durations(t),
    errors,
    warnings,
  }
}

/** Deployments and reloads, one at a time (a call made while one runs waits for it). */
export interface Deployer {
  deploy(files: ConfigFiles): Promise<DeployResult>
  reloadCurrent(): Promise<DeployResult>
}

/** Wraps {@link deployConfig} and {@link reloadCurrentConfig} so they never overlap. */
export function createDeployer(opts: DeployOptions): Deployer {
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn)
    tail = next.catch(() => undefined)
    return next
  }
  return {
    deploy: (files) => serial(() => deployConfig(files, opts)),
    reloadCurrent: () => serial(() => reloadCurrentConfig(opts)),
  }
}
