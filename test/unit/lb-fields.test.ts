import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {generateConfig, generateOptions, type GenerateOptions} from '../../src/generate.js'
import {keepLbFields} from '../../src/marathon/lb-fields.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {ROOT} from '../cli-run.js'

const BASE: GenerateOptions = generateOptions()

const VARIANTS: readonly Partial<GenerateOptions>[] = [{}, {healthCheck: true, groups: ['external']}, {haproxyMap: true}, {groupHttpsByVhost: true, strictMode: true}]

describe('keeping only the load-balancing fields never changes the generated configuration', () => {
  const templates = loadTemplateSet({env: {}, cwd: tmpdir()})
  const dir = join(ROOT, 'fixtures', 'conformance')
  const states: [string, unknown][] = readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'apps.json')))
    .map((n) => [n, JSON.parse(readFileSync(join(dir, n, 'apps.json'), 'utf8')) as unknown])
  states.push(['synthetic-400', generateState(400, 3)])

  for (const [name, marathon] of states) {
    it(name, () => {
      const apps = (marathon as {apps: unknown[]}).apps
      const pruned = {...(marathon as object), apps: apps.map(keepLbFields)}
      for (const v of VARIANTS) {
        const options = {...BASE, ...v}
        const full = generateConfig({marathon, options, templates, hostIps: new Map([['agent1', '1.1.1.1']])})
        const lean = generateConfig({marathon: pruned, options, templates, hostIps: new Map([['agent1', '1.1.1.1']])})
        expect(lean).toEqual(full)
      }
    })
  }
})
