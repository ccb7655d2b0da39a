import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {SERVE_FLAGS} from '../../src/cli/serve-flags.js'
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
