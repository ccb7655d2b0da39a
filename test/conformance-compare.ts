/**
 * The comparison rules of fixtures/conformance/README.md: drop `lua-load` lines (their paths
 * depend on where mlb is installed), then apply the case's `compare` relaxations.
 */

/** A relaxation named in a case's `compare` file. */
export type Relaxation = 'sort-servers' | 'sort-crt' | 'modern-directives'

const RELAXATIONS: ReadonlySet<string> = new Set(['sort-servers', 'sort-crt', 'modern-directives'])

/** Parses a `compare` file (words separated by white space); unknown words are an error. */
export function parseRelaxations(text: string): Relaxation[] {
  const words = text.split(/\s+/).filter((w) => w !== '')
  for (const w of words) if (!RELAXATIONS.has(w)) throw new Error(`unknown compare relaxation: ${w}`)
  return words as Relaxation[]
}

/** Header and path rewriting lines, marathon-lb's (HAProxy ≤2.0) and mlb's modern equivalents. */
const MODERN_DIRECTIVE = [
  /^\s*(rspadd|reqirep|rspirep)\s/,
  /^\s*http-request\s+(replace-path|replace-uri)\s/,
  /^\s*http-response\s+(replace-header|replace-value)\s/,
  /^\s*http-response\s+(set-header|add-header)\s+Strict-Transport-Security\b/i,
]

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Sorts each run of consecutive `  server ` lines. */
function sortServerRuns(lines: string[]): string[] {
  const out: string[] = []
  let run: string[] = []
  const flush = (): void => {
    out.push(...run.sort(ordinal))
    run = []
  }
  for (const l of lines) {
    if (l.startsWith('  server ')) run.push(l)
    else {
      flush()
      out.push(l)
    }
  }
  flush()
  return out
}

/** Sorts the `crt X` pairs of a `bind … ssl crt …` line, keeping every other token in place. */
export function sortCrtPairs(line: string): string {
  if (!/^\s*bind\s/.test(line) || !line.includes(' crt ')) return line
  const tokens = line.split(' ')
  const slots: number[] = []
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i] === 'crt') {
      slots.push(i + 1)
      i++
    }
  }
  const sorted = slots.map((i) => tokens[i]!).sort(ordinal)
  slots.forEach((slot, k) => {
    tokens[slot] = sorted[k]!
  })
  return tokens.join(' ')
}

/** The text as the comparison sees it. */
export function normalizeConfig(text: string, relaxations: readonly Relaxation[]): string {
  let lines = text.split('\n').filter((l) => !/^\s*lua-load\s/.test(l))
  if (relaxations.includes('modern-directives')) lines = lines.filter((l) => !MODERN_DIRECTIVE.some((re) => re.test(l)))
  if (relaxations.includes('sort-crt')) lines = lines.map(sortCrtPairs)
  if (relaxations.includes('sort-servers')) lines = sortServerRuns(lines)
  return lines.join('\n')
}
