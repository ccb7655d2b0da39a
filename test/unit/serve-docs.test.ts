import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {formatHelp} from '../../src/cli/argparse-help.js'
import {oclifFlags} from '../../src/cli/oclif-flags.js'
import {SERVE_DESCRIPTION, SERVE_FLAGS, SERVE_PROG} from '../../src/cli/serve-flags.js'
import {ROOT} from '../cli-run.js'

describe('docs/serve.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'serve.md'), 'utf8')
  it('documents every flag of mlb serve, with its short form and environment variable', () => {
    for (const f of SERVE_FLAGS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`--${f.name}\``))
      expect(row, `--${f.name}`).toBeDefined()
      if (f.char !== undefined) expect(row).toContain(`\`-${f.char}\``)
      for (const v of (f.env ?? '').split(' + ').filter((e) => e !== '')) expect(row).toContain(`\`${v}\``)
    }
  })
})

describe('help texts of mlb serve', () => {
  const variables = (env: string | undefined): string[] => (env ?? '').split(' + ').filter((e) => e !== '')

  it('names every environment variable in both -h and --help (oclif)', () => {
    const argparseHelp = formatHelp(SERVE_PROG, SERVE_DESCRIPTION, SERVE_FLAGS).replace(/\s+/g, ' ')
    const oclif = oclifFlags(SERVE_FLAGS)
    for (const f of SERVE_FLAGS) {
      const flag = oclif[f.name]!
      for (const v of variables(f.env)) {
        expect(argparseHelp, `-h, --${f.name}`).toContain(v)
        // oclif prints `[env: X]` for its own `env:`; a variable pair has to be in the summary
        expect(flag.env === v || (flag.summary ?? '').includes(v), `--help, --${f.name}: ${v}`).toBe(true)
      }
    }
  })

  it('shows --auth-credentials\' variable pair in --help as -h does, and does not give oclif a variable it cannot read', () => {
    const flag = oclifFlags(SERVE_FLAGS)['auth-credentials']!
    expect(flag.env).toBeUndefined()
    expect(flag.summary).toContain('[env: MARATHON_USER + MARATHON_PASSWORD]')
    expect(formatHelp(SERVE_PROG, SERVE_DESCRIPTION, SERVE_FLAGS).replace(/\s+/g, ' ')).toContain('[env: MARATHON_USER + MARATHON_PASSWORD]')
  })
})
