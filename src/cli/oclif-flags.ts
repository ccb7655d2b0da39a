/**
 * oclif flag declarations derived from an argparse flag table, so `mlb serve --help` and the
 * oclif manifest list exactly the flags `src/cli/argparse.ts` parses (one table, no copies).
 */
import {Flags, type Interfaces} from '@oclif/core'

import type {FlagSpec} from './argparse.js'

type Char = Parameters<typeof Flags.boolean>[0] extends infer O ? (O extends {char?: infer C} ? C : never) : never

/** oclif flags mirroring `specs` (help and manifest only; parsing stays argparse-compatible). */
export function oclifFlags(specs: readonly FlagSpec[]): Interfaces.FlagInput {
  const out: Interfaces.FlagInput = {}
  for (const s of specs) {
    const dflt = s.defaultText === undefined || s.kind === 'switch' ? '' : ` (default: ${s.defaultText})`
    const common = {
      summary: `${s.help}${dflt}`,
      ...(s.char === undefined ? {} : {char: s.char as Char}),
      ...(s.env === undefined || s.env.includes(' ') ? {} : {env: s.env}),
    }
    if (s.kind === 'switch') out[s.name] = Flags.boolean(common)
    else if (s.kind === 'int') out[s.name] = Flags.integer(common)
    else if (s.kind === 'string') out[s.name] = Flags.string(common)
    else out[s.name] = Flags.string({...common, multiple: true})
  }
  return out
}
