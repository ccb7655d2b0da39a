/**
 * An argparse-compatible command-line parser (spec §1): marathon-lb users keep their command
 * lines, so `--flag value`, `--flag=value`, unambiguous long-option prefixes (mlb's extension
 * flags yield a shared prefix to marathon-lb's flag), `-m a b c` (nargs=+), attached short values
 * (`-mURL`), combined short switches (`-Hd`) and negative integers as values all work, and
 * mistakes produce argparse's messages (exit 2 via UsageError).
 * oclif's own parser cannot do prefixes or argparse's messages, so `mlb serve` parses here.
 */
import {UsageError} from '../errors.js'

/** How a flag consumes values (argparse `action`/`nargs`/`type`). */
export type FlagKind =
  /** `store_true`. */
  | 'switch'
  /** One string; the last occurrence wins. */
  | 'string'
  /** One integer (argparse `type=int`); the last occurrence wins. */
  | 'int'
  /** `nargs='+'`: one or more values after one flag; repeated flags accumulate (mlb, see docs/serve.md). */
  | 'list'
  /** `action='append'`: one value per occurrence, accumulated. */
  | 'append'

/** One flag of a command, described once and used for parsing, help and docs. */
export interface FlagSpec {
  /** Long name without the leading `--`. */
  readonly name: string
  /** Short alias without the leading `-`. */
  readonly char?: string
  readonly kind: FlagKind
  /** Placeholder in usage text (default: the name upper-cased, `-` → `_`, as argparse). */
  readonly metavar?: string
  /** One-paragraph description. */
  readonly help: string
  /** Default value as shown in help (never a secret). */
  readonly defaultText?: string
  /** Environment variable read when the flag is absent. */
  readonly env?: string
  /**
   * mlb's addition to the original tool's flags. A long-option prefix shared with exactly one
   * original flag means that flag, so command lines written for the original keep their meaning.
   */
  readonly extension?: boolean
}

/** A parsed flag value. */
export type FlagValue = boolean | string | number | readonly string[]

/** Result of {@link parseArgs}. */
export interface ParsedArgs {
  /** Values of the flags that appeared on the command line, by long name. */
  readonly values: ReadonlyMap<string, FlagValue>
  /** Arguments that are not options, in order, with their argv index. */
  readonly positionals: readonly {readonly index: number; readonly value: string}[]
  /** `-h`/`--help` (or a prefix of it) was given. */
  readonly help: boolean
}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/

/** argparse's name for a flag in messages: `--marathon/-m`. */
export function flagDisplayName(spec: FlagSpec): string {
  return spec.char === undefined ? `--${spec.name}` : `--${spec.name}/-${spec.char}`
}

/** Parses `value` like Python's `int()` (surrounding white space allowed). */
export function parsePythonInt(value: string): number | undefined {
  const t = value.trim()
  if (!/^[-+]?\d+$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

/** `-h/--help` is argparse's own, so it counts as an original flag. */
function isExtension(spec: FlagSpec | 'help'): boolean {
  return spec !== 'help' && spec.extension === true
}

/**
 * The long name that `opt` abbreviates, undefined when none does; a UsageError when several do.
 * Several matches are narrowed to the one original (non-extension) flag among them, if there is
 * exactly one: `--st` was marathon-lb's --strict-mode before mlb added --stats-bind.
 */
function longPrefixMatch(names: Iterable<string>, opt: string, isExtensionName: (name: string) => boolean): string | undefined {
  const all = [...names].filter((name) => name.startsWith(opt))
  if (all.length < 2) return all[0]
  const original = all.filter((name) => !isExtensionName(name))
  if (original.length === 1) return original[0]
  throw new UsageError(`ambiguous option: --${opt} could match ${all.map((c) => `--${c}`).join(', ')}`)
}

/**
 * Long-option prefixes written out in full, for a parser that takes only whole names (oclif,
 * which `mlb zdd` uses): `--new 2` becomes `--new-instances 2`, as argparse read zdd.py's command
 * lines, with the same rules and message as {@link parseArgs}. Stops at `--`; a token that
 * abbreviates nothing is left for the parser to refuse.
 */
export function expandLongPrefixes(argv: readonly string[], names: readonly string[], extensions: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    const eq = arg.indexOf('=')
    const opt = (eq === -1 ? arg : arg.slice(0, eq)).slice(2)
    const full = !arg.startsWith('--') || names.includes(opt) ? undefined : longPrefixMatch(names, opt, (name) => extensions.has(name))
    out.push(full === undefined ? arg : `--${full}${eq === -1 ? '' : arg.slice(eq)}`)
  }
  return out
}

class ArgState {
  readonly values = new Map<string, FlagValue>()
  readonly positionals: {index: number; value: string}[] = []
  readonly extras: string[] = []
  help = false
}

interface Resolved {
  readonly spec: FlagSpec | 'help'
  readonly explicit: string | undefined
}

/** Parses `argv` against `specs` with argparse's rules; throws {@link UsageError} on mistakes. */
export function parseArgs(specs: readonly FlagSpec[], argv: readonly string[]): ParsedArgs {
  const parser = new Parser(specs)
  return parser.parse(argv)
}

class Parser {
  private readonly byLong = new Map<string, FlagSpec | 'help'>()
  private readonly byChar = new Map<string, FlagSpec | 'help'>()

  constructor(specs: readonly FlagSpec[]) {
    this.byLong.set('help', 'help')
    this.byChar.set('h', 'help')
    for (const s of specs) {
      this.byLong.set(s.name, s)
      if (s.char !== undefined) this.byChar.set(s.char, s)
    }
  }

  parse(argv: readonly string[]): ParsedArgs {
    const st = new ArgState()
    let i = 0
    while (i < argv.length) {
      const arg = argv[i]!
      if (arg === '--') {
        for (let j = i + 1; j < argv.length; j++) st.positionals.push({index: j, value: argv[j]!})
        break
      }
      if (!this.isOptionLike(arg)) {
        st.positionals.push({index: i, value: arg})
        i++
        continue
      }
      i = arg.startsWith('--') ? this.takeLong(st, argv, i) : this.takeShort(st, argv, i)
    }
    if (st.extras.length > 0) throw new UsageError(`unrecognized arguments: ${st.extras.join(' ')}`)
    return {values: st.values, positionals: st.positionals, help: st.help}
  }

  /** argparse's 'O' vs 'A' classification of one argument. */
  private isOptionLike(arg: string): boolean {
    if (!arg.startsWith('-') || arg === '-') return false
    if (this.byLong.has(arg.replace(/^--?/, '').split('=')[0] ?? '')) return true
    if (NEGATIVE_NUMBER.test(arg)) return false
    return !arg.includes(' ')
  }

  private resolveLong(arg: string): Resolved | undefined {
    const eq = arg.indexOf('=')
    const opt = (eq === -1 ? arg : arg.slice(0, eq)).slice(2)
    const explicit = eq === -1 ? undefined : arg.slice(eq + 1)
    const exact = this.byLong.get(opt)
    if (exact !== undefined) return {spec: exact, explicit}
    const only = longPrefixMatch(this.byLong.keys(), opt, (name) => isExtension(this.byLong.get(name)!))
    return only === undefined ? undefined : {spec: this.byLong.get(only)!, explicit}
  }

  private takeLong(st: ArgState, argv: readonly string[], i: number): number {
    const arg = argv[i]!
    const resolved = this.resolveLong(arg)
    if (resolved === undefined) {
      // argparse echoes `--name=value`; the value of a mistyped flag may be a secret
      // (`--marathon-auth-credentials=user:pass`), so only the name is shown.
      const eq = arg.indexOf('=')
      st.extras.push(eq === -1 ? arg : `${arg.slice(0, eq)}=***`)
      return i + 1
    }
    return this.apply(st, resolved, argv, i)
  }

  private takeShort(st: ArgState, argv: readonly string[], i: number): number {
    const arg = argv[i]!
    const spec = this.byChar.get(arg[1]!)
    if (spec === undefined) {
      st.extras.push(arg)
      return i + 1
    }
    const rest = arg.slice(2)
    if (spec === 'help' || spec.kind === 'switch') {
      this.apply(st, {spec, explicit: undefined}, argv, i)
      // `-Hd`: argparse reads the remaining characters as further short switches.
      if (rest !== '') return this.takeShort(st, [...argv.slice(0, i), `-${rest}`, ...argv.slice(i + 1)], i)
      return i + 1
    }
    const explicit = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest
    return this.apply(st, {spec, explicit}, argv, i)
  }

  /** Stores one occurrence of a flag and returns the index of the next unread argument. */
  private apply(st: ArgState, {spec, explicit}: Resolved, argv: readonly string[], i: number): number {
    if (spec === 'help') {
      st.help = true
      return i + 1
    }
    const name = flagDisplayName(spec)
    if (spec.kind === 'switch') {
      if (explicit !== undefined) throw new UsageError(`argument ${name}: ignored explicit argument '${explicit}'`)
      st.values.set(spec.name, true)
      return i + 1
    }
    const taken: string[] = []
    let next = i + 1
    if (explicit !== undefined) taken.push(explicit)
    else {
      const max = spec.kind === 'list' ? Infinity : 1
      while (next < argv.length && taken.length < max && argv[next] !== '--' && !this.isOptionLike(argv[next]!)) {
        taken.push(argv[next]!)
        next++
      }
    }
    if (taken.length === 0) {
      throw new UsageError(`argument ${name}: ${spec.kind === 'list' ? 'expected at least one argument' : 'expected one argument'}`)
    }
    this.store(st, spec, name, taken)
    return next
  }

  private store(st: ArgState, spec: FlagSpec, name: string, taken: readonly string[]): void {
    const value = taken[0]!
    switch (spec.kind) {
      case 'int': {
        const n = parsePythonInt(value)
        if (n === undefined) throw new UsageError(`argument ${name}: invalid int value: '${value}'`)
        st.values.set(spec.name, n)
        return
      }
      case 'string':
        st.values.set(spec.name, value)
        return
      case 'list':
      case 'append': {
        const prev = st.values.get(spec.name)
        st.values.set(spec.name, [...(Array.isArray(prev) ? (prev as readonly string[]) : []), ...taken])
        return
      }
      case 'switch':
        return
    }
  }
}
