/**
 * oclif flag declarations derived from an argparse flag table, so `mlb serve --help` and the
 * oclif manifest list exactly the flags `src/cli/argparse.ts` parses (one table, no copies).
 */
import {Flags, type Interfaces} from '@oclif/core'

import type {FlagSpec} from './argparse.js'
import {envNote} from './argparse-help.js'

type Char = Parameters<typeof Flags.boolean>[0] extends infer O ? (O extends {char?: infer C} ? C : never) : never

/** True when `env` names one variable, which oclif's `env:` can show in `--help` itself. */
function isOneVariable(env: string): boolean {
  return /^\w+$/.test(env)
}

/**
 * The summary of one flag. A flag read from several variables (`MARATHON_USER + MARATHON_PASSWORD`)
 * gets `-h`'s `[env: …]` note up front, where oclif puts the note of a one-variable `env:`.
 */
function summaryOf(s: FlagSpec): string {
  const dflt = s.defaultText === undefined || s.kind === 'switch' ? '' : ` (default: ${s.defaultText})`
  const note = s.env === undefined || isOneVariable(s.env) ? '' : `${envNote(s)} `
  return `${note}${s.help}${dflt}`
}

/** oclif flags mirroring `specs` (help and manifest only; parsing stays argparse-compatible). */
export function oclifFlags(specs: readonly FlagSpec[]): Interfaces.FlagInput {
  const out: Interfaces.FlagInput = {}
  for (const s of specs) {
    const common = {
      summary: summaryOf(s),
      ...(s.char === undefined ? {} : {char: s.char as Char}),
      ...(s.env !== undefined && isOneVariable(s.env) ? {env: s.env} : {}),
    }
    if (s.kind === 'switch') out[s.name] = Flags.boolean(common)
    else if (s.kind === 'int') out[s.name] = Flags.integer(common)
    else if (s.kind === 'string') out[s.name] = Flags.string(common)
    else out[s.name] = Flags.string({...common, multiple: true})
  }
  return out
}
