/**
 * Performs a {@link ContainerPlan} (spec §2.1 steps 6–11, in run's order): certificate files,
 * the self-signed fallback, templates from the Mesos sandbox, `sysctl -w`, the Vault read. All
 * paths come from the plan and all programs from {@link ContainerApplyDeps}, so tests run it in a
 * temporary folder.
 */
import {copyFile, mkdir, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {errorMessage, MlbError} from '../errors.js'
import type {Logger} from '../log.js'
import {containerServeArgv, describeContainerPlan, type ContainerCredentials, type ContainerMode, type ContainerPlan} from './container.js'
import {execRunner, generateSelfSignedCert, writeSecretFile, type CommandRunner} from './container-cert.js'
import {fetchVaultCredentials, type VaultRequest} from './container-vault.js'

/** The edges {@link applyContainerSetup} uses; every field has a real default. */
export interface ContainerApplyDeps {
  readonly logger: Logger
  readonly run?: CommandRunner
  /** `openssl` program (default from PATH). */
  readonly openssl?: string
  /** `sysctl` program (default from PATH). */
  readonly sysctl?: string
  /** Parent of the private folder used to generate the self-signed certificate. */
  readonly tmpRoot?: string
  readonly readVault?: (req: VaultRequest) => Promise<ContainerCredentials>
}

/** What `mlb serve` needs after the set-up. */
export interface ContainerSetup {
  /** Arguments for `mlb serve` to parse (see {@link containerServeArgv}). */
  readonly argv: readonly string[]
  readonly mode: ContainerMode
  /** Default Marathon credentials (like `--auth-credentials`; a user flag or credential file wins). */
  readonly auth: ContainerCredentials | undefined
  /** `HAPROXY_SYSLOGD` was set: the caller starts the syslog relay. */
  readonly syslogd: boolean
}

/** Copies the regular files of `from` into `to` (run's `cp -v`), if `from` is a folder. */
export async function copySandboxTemplates(from: string, to: string, logger: Logger): Promise<number> {
  const st = await stat(from).catch(() => undefined)
  if (st === undefined || !st.isDirectory()) {
    logger.info('no templates folder in the Mesos sandbox', {path: from})
    return 0
  }
  await mkdir(to, {recursive: true})
  let copied = 0
  for (const entry of await readdir(from, {withFileTypes: true})) {
    const src = join(from, entry.name)
    // Template overrides are flat files named HAPROXY_<NAME> (spec §4.2); sub-folders mean nothing.
    if (!(await stat(src)).isFile()) {
      logger.warn('skipping non-file in the sandbox templates folder', {path: src})
      continue
    }
    await copyFile(src, join(to, entry.name))
    logger.info(`'${src}' -> '${join(to, entry.name)}'`)
    copied++
  }
  return copied
}

/** Runs `sysctl -w …` (no shell); a failure aborts unless HAPROXY_SYSCTL_NONSTRICT made it non-strict. */
export async function applySysctl(sysctl: NonNullable<ContainerPlan['sysctl']>, run: CommandRunner, program: string, logger: Logger): Promise<void> {
  logger.info(`sysctl ${sysctl.args.join(' ')}`)
  const res = await run(program, sysctl.args)
  if (res.code === 0) return
  const detail = `sysctl ${sysctl.args.join(' ')} failed (${res.code ?? 'killed'}): ${res.stderr.trim()}`
  if (!sysctl.strict) {
    logger.warn(`${detail}; ignored because HAPROXY_SYSCTL_NONSTRICT is set`)
    return
  }
  throw new MlbError(`${detail} (set HAPROXY_SYSCTL_NONSTRICT to ignore sysctl failures)`, {code: 'MLB_ERR_SYSCTL'})
}

/** Performs the plan and returns the serve arguments and credentials. */
export async function applyContainerSetup(plan: ContainerPlan, deps: ContainerApplyDeps): Promise<ContainerSetup> {
  const {logger} = deps
  const run = deps.run ?? execRunner
  for (const note of plan.notes) logger[note.level](note.msg)
  for (const line of describeContainerPlan(plan)) logger.debug(`container plan: ${line}`)
  for (const w of plan.certWrites) {
    await writeSecretFile(w.path, w.content).catch((err: unknown) => {
      throw new MlbError(`cannot write ${w.source} to ${w.path}: ${errorMessage(err)}`, {code: 'MLB_ERR_CERT', cause: err})
    })
    logger.info(`wrote ${w.source} to ${w.path}`)
  }
  if (plan.selfSigned !== undefined) {
    await generateSelfSignedCert(plan.selfSigned, {run, ...(deps.openssl === undefined ? {} : {openssl: deps.openssl}), ...(deps.tmpRoot === undefined ? {} : {tmpRoot: deps.tmpRoot})})
    logger.info(`generated a self-signed certificate in ${plan.selfSigned}`)
  }
  if (plan.templates !== undefined) await copySandboxTemplates(plan.templates.from, plan.templates.to, logger)
  if (plan.sysctl !== undefined) await applySysctl(plan.sysctl, run, deps.sysctl ?? 'sysctl', logger)
  let auth = plan.auth
  if (auth === undefined && plan.vault !== undefined) {
    auth = await (deps.readVault ?? fetchVaultCredentials)(plan.vault)
    logger.info(`Marathon credentials for user ${auth.user} read from Vault`, {url: plan.vault.url})
  }
  return {argv: containerServeArgv(plan), mode: plan.mode, auth, syslogd: plan.syslogd}
}
