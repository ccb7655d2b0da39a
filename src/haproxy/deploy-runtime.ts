/**
 * Runtime-API fast path of a deployment (docs/haproxy.md "Task churn without a reload"): when
 * only server lines changed, the running worker is updated through the master CLI (`@1 …`), then the
 * new bytes are written in place without a reload, so the file is always what a reload would
 * load. `haproxy -c` of that file runs afterwards, off the event-to-traffic path; the next
 * deployment waits for its verdict, and a refusal restores the last good file and reloads it.
 */
import type {Clock} from '../clock.js'
import {formatCheckMessages} from './check-output.js'
import {moveIntoPlace, readTextOrUndefined, writeAtomic, writeTempFor, type ArchivePolicy} from './files.js'
import {diffConfigs} from './runtime-diff.js'
import type {RuntimeServers} from './runtime-servers.js'
import type {ConfigFiles, FileLayout} from './stage.js'
import {validateConfig, type ValidateOptions} from './validate.js'

/** What {@link RuntimeFastPath.tryApply} did. */
export type FastPathResult =
  | {readonly applied: true; readonly commands: number; readonly added: number; readonly removed: number; readonly toggled: number; readonly draining: number}
  | {readonly applied: false; readonly reason: string}

/** Settings of the fast path. */
export interface FastPathOptions {
  readonly servers: RuntimeServers
  readonly layout: FileLayout
  readonly archive: ArchivePolicy
  /** Archive name of the config (spec §6.5 `hap_cfg`). */
  readonly archiveName: string
  readonly validate?: ValidateOptions
  readonly clock: Clock
}

/** Verdict of the background check: undefined when the file passed. */
type CheckVerdict = {readonly error: string; readonly lastGood: string} | undefined

/** One daemon's fast path: the runtime servers plus the check of the last file written. */
export class RuntimeFastPath {
  readonly servers: RuntimeServers
  private readonly opts: FastPathOptions
  private check: Promise<CheckVerdict> | undefined

  constructor(opts: FastPathOptions) {
    this.opts = opts
    this.servers = opts.servers
  }

  /**
   * Call under the servers' lock, first thing: waits for the check of the file the last fast
   * path wrote. On a refusal the last good file is put back and the error returned; the caller
   * must then reload, since the running worker holds the refused servers.
   */
  async settle(): Promise<string | undefined> {
    const pending = this.check
    this.check = undefined
    const verdict = pending === undefined ? undefined : await pending
    if (verdict === undefined) return undefined
    await writeAtomic(this.opts.layout.configFile, verdict.lastGood)
    return `configuration applied at runtime was refused by haproxy -c, restored the previous one: ${verdict.error}`
  }

  /** Call under the servers' lock: applies `files` at runtime when only server lines changed. */
  async tryApply(files: ConfigFiles, running: string): Promise<FastPathResult> {
    const {layout} = this.opts
    if (layout.haproxyMap && ((await readTextOrUndefined(layout.domainMapFile)) !== files.domainMap || (await readTextOrUndefined(layout.appMapFile)) !== files.appMap)) {
      return {applied: false, reason: 'map files changed'}
    }
    const diff = diffConfigs(running, files.config)
    if (diff.kind === 'reload') return {applied: false, reason: diff.reason}
    const {plan} = diff
    const outcome = await this.servers.apply(plan)
    if (!outcome.ok) return {applied: false, reason: `runtime command refused: ${outcome.error ?? 'unknown'}`}
    const tmp = await writeTempFor(layout.configFile, files.config)
    await moveIntoPlace(tmp, layout.configFile, this.opts.archiveName, this.opts.archive)
    this.check = this.checkInBackground(running)
    return {applied: true, commands: outcome.commands, added: plan.add.length, removed: plan.remove.length, toggled: plan.toggle.length, draining: outcome.draining}
  }

  /** Waits for the pending check (shutdown). */
  async stop(): Promise<void> {
    await this.check
    await this.servers.stop()
  }

  private async checkInBackground(lastGood: string): Promise<CheckVerdict> {
    try {
      const v = await validateConfig(this.opts.layout.configFile, {...this.opts.validate, clock: this.opts.clock})
      return v.valid ? undefined : {error: formatCheckMessages(v.errors), lastGood}
    } catch (err) {
      return {error: String(err), lastGood}
    }
  }
}
