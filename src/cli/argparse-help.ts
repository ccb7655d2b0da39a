/**
 * argparse-style help text (`-h`, and the fenced block of `--longhelp`), laid out as Python's
 * `ArgumentDefaultsHelpFormatter` does: a wrapped usage line, then one entry per flag with the
 * help text at column 24 and `(default: …)` appended (spec §1: "help texts show defaults").
 */
import type {FlagSpec} from './argparse.js'

const WIDTH = 78 // argparse: $COLUMNS (80) - 2
const HELP_POSITION = 24 // argparse's max_help_position

/** argparse's default metavar: the long name upper-cased with `-` → `_`. */
export function metavarOf(spec: FlagSpec): string {
  return spec.metavar ?? spec.name.toUpperCase().replace(/-/g, '_')
}

function argsPart(spec: FlagSpec): string {
  if (spec.kind === 'switch') return ''
  const m = metavarOf(spec)
  return spec.kind === 'list' ? ` ${m} [${m} ...]` : ` ${m}`
}

/** Greedy word wrap of `text` to `width` columns. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word
    else if (line.length + 1 + word.length <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

function usage(prog: string, specs: readonly FlagSpec[]): string {
  const parts = ['[-h]', ...specs.map((s) => `[--${s.name}${argsPart(s)}]`)]
  const prefix = `usage: ${prog} `
  const indent = ' '.repeat(prefix.length)
  const lines: string[] = []
  let line = ''
  for (const part of parts) {
    if (line !== '' && prefix.length + line.length + 1 + part.length > WIDTH) {
      lines.push(line)
      line = part
    } else line = line === '' ? part : `${line} ${part}`
  }
  if (line !== '') lines.push(line)
  return lines.map((l, i) => (i === 0 ? prefix : indent) + l).join('\n')
}

function entry(invocation: string, help: string): string[] {
  const helpLines = wrapWords(help, WIDTH - HELP_POSITION)
  const out: string[] = []
  if (invocation.length <= HELP_POSITION - 4) {
    out.push(`  ${invocation.padEnd(HELP_POSITION - 4)}  ${helpLines[0] ?? ''}`.trimEnd())
    helpLines.shift()
  } else out.push(`  ${invocation}`)
  for (const l of helpLines) out.push(' '.repeat(HELP_POSITION) + l)
  return out
}

/**
 * `[env: …]` for a flag read from the environment, else undefined. Shared by `-h` and oclif's
 * `--help`, which cannot show a variable pair such as `MARATHON_USER + MARATHON_PASSWORD` itself.
 */
export function envNote(spec: FlagSpec): string | undefined {
  return spec.env === undefined ? undefined : `[env: ${spec.env}]`
}

/** The `-h` text of a command: usage, description, and every flag with its default. */
export function formatHelp(prog: string, description: string, specs: readonly FlagSpec[]): string {
  const lines = [usage(prog, specs), '', description, '', 'optional arguments:']
  lines.push(...entry('-h, --help', 'show this help message and exit'))
  for (const s of specs) {
    const names = [`--${s.name}${argsPart(s)}`]
    if (s.char !== undefined) names.push(`-${s.char}${argsPart(s)}`)
    const env = envNote(s)
    const dflt = s.defaultText === undefined ? '' : ` (default: ${s.defaultText})`
    lines.push(...entry(names.join(', '), `${s.help}${dflt}${env === undefined ? '' : ` ${env}`}`))
  }
  return `${lines.join('\n')}\n`
}

/** The short usage line printed before an argparse error message. */
export function formatUsage(prog: string, specs: readonly FlagSpec[]): string {
  return usage(prog, specs)
}
