/**
 * Staging a configuration for validation (spec §6.4 steps 2–4): the new map files and the
 * config are written to temp files next to their destinations, with the real map paths in the
 * config copy replaced by the temp map paths (plain substring replacement, as marathon-lb),
 * so `haproxy -c` checks the new maps too. Used by deploy.ts and by the bisection checker.
 */
import {dirname, join} from 'node:path'
import {removeQuietly, writeTempFor} from './files.js'
import {formatCheckMessages} from './check-output.js'
import {validateConfig, type ValidateOptions, type ValidationResult} from './validate.js'

/** The three files one regeneration produces (GeneratedConfig's texts). */
export interface ConfigFiles {
  readonly config: string
  readonly domainMap: string
  readonly appMap: string
}

/** Where the files live. */
export interface FileLayout {
  /** `--haproxy-config`. */
  readonly configFile: string
  readonly domainMapFile: string
  readonly appMapFile: string
  /** `--haproxy-map`: maps are written and referenced; otherwise they are kept empty. */
  readonly haproxyMap: boolean
}

/** marathon-lb's layout: both maps in the folder of the config file. */
export function defaultLayout(configFile: string, haproxyMap: boolean): FileLayout {
  const dir = dirname(configFile)
  return {configFile, domainMapFile: join(dir, 'domain2backend.map'), appMapFile: join(dir, 'app2backend.map'), haproxyMap}
}

/** Temp files written by {@link stageFiles}. */
export interface Staged {
  /** Config copy referencing the temp maps: the bytes `haproxy -c` checks. */
  readonly configTmp: string
  /** The config with the real map paths (what goes into place). */
  readonly finalConfig: string
  /** True when the checked bytes are the final bytes (no map path occurs in the config). */
  readonly sameBytes: boolean
  readonly domainMapTmp: string | undefined
  readonly appMapTmp: string | undefined
}

/** Writes the temp files; in map mode the config copy points at the temp maps. */
export async function stageFiles(files: ConfigFiles, layout: FileLayout): Promise<Staged> {
  let domainMapTmp: string | undefined
  let appMapTmp: string | undefined
  let checked = files.config
  try {
    if (layout.haproxyMap) {
      domainMapTmp = await writeTempFor(layout.domainMapFile, files.domainMap)
      appMapTmp = await writeTempFor(layout.appMapFile, files.appMap)
      checked = checked.split(layout.domainMapFile).join(domainMapTmp).split(layout.appMapFile).join(appMapTmp)
    }
    const configTmp = await writeTempFor(layout.configFile, checked)
    return {configTmp, finalConfig: files.config, sameBytes: checked === files.config, domainMapTmp, appMapTmp}
  } catch (err) {
    for (const p of [domainMapTmp, appMapTmp]) if (p !== undefined) await removeQuietly(p)
    throw err
  }
}

/** Removes whatever temp files of `staged` are still there. */
export async function discardStaged(staged: Staged): Promise<void> {
  for (const p of [staged.configTmp, staged.domainMapTmp, staged.appMapTmp]) if (p !== undefined) await removeQuietly(p)
}

/** Verdict of {@link checkCandidate}, in the shape the bisection takes. */
export interface CandidateCheck {
  readonly valid: boolean
  /** Formatted alerts (`line 12: …`), when invalid. */
  readonly error?: string
  readonly validation: ValidationResult
}

/**
 * Stages `files`, runs `haproxy -c` on them and removes the temp files: the checker the daemon
 * hands to findInvalidUnits. Nothing is archived (marathon-lb rotated its archives on every
 * trial, spec §10.25).
 */
export async function checkCandidate(files: ConfigFiles, layout: FileLayout, options: ValidateOptions = {}): Promise<CandidateCheck> {
  const staged = await stageFiles(files, layout)
  try {
    const validation = await validateConfig(staged.configTmp, options)
    if (validation.valid) return {valid: true, validation}
    return {valid: false, error: formatCheckMessages(validation.errors), validation}
  } finally {
    await discardStaged(staged)
  }
}
