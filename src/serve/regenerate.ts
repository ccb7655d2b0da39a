/**
 * One regeneration at the edge (spec §5.1 steps 1–3): fetch Marathon's apps, resolve task host
 * names, call the pure core, and log what it left out. Used by `--dry` and, later, by the daemon.
 * Nothing is written here; a Marathon failure throws before any output exists.
 */
import type {GeneratedConfig, GenerateInput, GenerateMemo, GenerateOptions, Skipped} from '../generate.js'
import type {Logger} from '../log.js'
import type {TemplateSet} from '../templates/template-set.js'

/** What {@link regenerate} needs from the outside world. */
export interface RegenerateDeps {
  readonly marathon: {getApps(): Promise<unknown>}
  readonly resolver: {resolveAll(hosts: Iterable<string>): Promise<ReadonlyMap<string, string>>}
  /** Host names the core may need resolved, from Marathon's body. */
  readonly hostsOf: (marathon: unknown) => Iterable<string>
  readonly templates: TemplateSet
  readonly options: GenerateOptions
  readonly logger: Logger
  readonly healthMemory?: ReadonlyMap<string, boolean>
  /** The daemon's memory of earlier regenerations (absent for a one-shot run). */
  readonly memo?: GenerateMemo
  /** The pure core's entry point (src/generate.ts `generateConfig`). */
  readonly generate: (input: GenerateInput) => GeneratedConfig
}

/** One stderr line for a skipped app or port: app id, label and reason (style rule 5). */
export function skippedLine(s: Skipped): string {
  const port = s.portIndex === undefined ? '' : ` port index ${s.portIndex}`
  const label = s.label === undefined ? '' : ` label ${s.label}`
  return `excluded app ${s.appId}${port}${label}: ${s.reason}`
}

/** Fetches, resolves and generates once; logs each skipped app and notice. */
export async function regenerate(deps: RegenerateDeps): Promise<GeneratedConfig> {
  const marathon = await deps.marathon.getApps()
  const hostIps = await deps.resolver.resolveAll(deps.hostsOf(marathon))
  const result = deps.generate({
    marathon,
    options: deps.options,
    templates: deps.templates,
    hostIps,
    ...(deps.healthMemory === undefined ? {} : {healthMemory: deps.healthMemory}),
    ...(deps.memo === undefined ? {} : {memo: deps.memo}),
  })
  for (const s of result.skipped) {
    deps.logger.warn(skippedLine(s))
  }
  for (const n of result.notices) deps.logger.debug(`app ${n.appId}: ${n.message}`)
  return result
}
