/**
 * `mlb serve --dry` (spec §6.8): render once and print exactly what would be written to
 * `--haproxy-config`. Unlike marathon-lb, mlb prints even when the file on disk is already the
 * same (docs/serve.md): `--dry` is a way to look at the config, not a change detector.
 */
import {regenerate, type RegenerateDeps} from './regenerate.js'

/** Dependencies of {@link runDry}: those of a regeneration plus where the text goes. */
export interface DryDeps extends RegenerateDeps {
  /** Writes the whole config (stdout); resolves when it has been handed to the OS. */
  readonly write: (text: string) => Promise<void>
}

/** Fetches, generates and prints the config once. Marathon failures throw before any output. */
export async function runDry(deps: DryDeps): Promise<void> {
  const result = await regenerate(deps)
  await deps.write(result.config)
}
