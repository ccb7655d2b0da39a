import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import Handlebars from 'handlebars'
import {describe, expect, it} from 'vitest'

import {plainParts, simpleParts} from '../../src/templates/hbs-compile.js'
import {ROOT} from '../cli-run.js'

const DATA = {luaDir: '/lua', maxconn: '50000', defaultOptions: '  option x\n'}

describe('plain templates are read without Handlebars exactly as Handlebars reads them', () => {
  const dir = join(ROOT, 'templates')
  const files = readdirSync(dir).filter((f) => f.endsWith('.hbs'))

  it('reads every default template without Handlebars', () => {
    expect(files.length).toBeGreaterThan(40)
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8')
      let expected: unknown
      try {
        expected = simpleParts(Handlebars.create(), src, {...DATA, ...globalsOf(src)})
      } catch {
        continue // a global this test does not supply
      }
      expect(plainParts(src, {...DATA, ...globalsOf(src)}), f).toEqual(expected)
    }
  })

  const sources = [
    'a \\1 {{b}} c \\', 'a \\\\{{b}}', 'a \\{{b}}', 'a {{b}}\\', 'a {{b}}', '{{ b }}', '{{@luaDir}}/x', 'x\n{{a}}{{b}}\n', 'no mustache', '', '{{a}}}', '{{{a}}}', '\\{{a}}', '{{~a}}', '{{a~}}', '{{#if a}}x{{/if}}',
    '{{!c}}', '{{> p}}', '{{a.b}}', '{{true}}', '{{this}}', '{{a b}}', '}} x', '{{ a', 'a }} {{b}}', '{{a-b}}', '{{else}}', '{{&a}}', '{{^a}}x{{/a}}', '{{1}}',
  ]
  for (const src of sources) {
    it(`never reads ${JSON.stringify(src)} differently`, () => {
      const plain = plainParts(src, DATA)
      if (plain === undefined) return
      expect(plain).toEqual(simpleParts(Handlebars.create(), src, DATA))
    })
  }
})

function globalsOf(src: string): Record<string, string> {
  return Object.fromEntries([...src.matchAll(/\{\{@(\w+)\}\}/g)].map((m) => [m[1], `<${m[1]}>`]))
}
