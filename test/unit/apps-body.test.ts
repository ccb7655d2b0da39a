import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {parseAppsBody} from '../../src/marathon/apps-body.js'
import {ROOT} from '../cli-run.js'

function same(text: string): void {
  expect(parseAppsBody(Buffer.from(text))).toEqual(JSON.parse(text))
}

function sameError(text: string): void {
  let expected: unknown
  try {
    JSON.parse(text)
  } catch (err) {
    expected = err
  }
  expect(expected).toBeInstanceOf(SyntaxError)
  expect(() => parseAppsBody(Buffer.from(text))).toThrow(SyntaxError)
}

describe('per-app parsing of the /v2/apps body equals JSON.parse', () => {
  const shapes: {desc: string; text: string}[] = [
    {desc: 'empty list', text: '{"apps":[]}'},
    {desc: 'white space everywhere', text: ' \n{ "apps" :\t[ {"id":"/a"} ,\r\n{"id":"/b"} ] } \n'},
    {desc: 'strings with brackets, quotes and escapes', text: '{"apps":[{"id":"/a","labels":{"X":"}]\\"{[\\\\","Y":"\\u00e9 ü 日本"}}]}'},
    {desc: 'non-object elements', text: '{"apps":[1, "x", null, [2, {"a": [3]}], true]}'},
    {desc: 'other top-level keys, before and after', text: '{"meta": {"v": [1, 2]}, "apps": [{"id": "/a"}], "n": -1.5e3, "s": "x", "z": null}'},
    {desc: 'duplicate keys: last wins', text: '{"apps": [{"id": "/a"}], "apps": [{"id": "/b"}]}'},
    {desc: 'a __proto__ key stays data', text: '{"__proto__": {"polluted": true}, "apps": []}'},
    {desc: 'apps that is not a list', text: '{"apps": {"id": "/a"}}'},
    {desc: 'not an object at all', text: '[{"id": "/a"}]'},
    {desc: 'empty object', text: '{}'},
    {desc: 'a bare string', text: '"apps"'},
  ]
  for (const s of shapes) it(s.desc, () => same(s.text))

  it('keeps __proto__ as an own property without touching the prototype', () => {
    const v = parseAppsBody(Buffer.from('{"__proto__": {"polluted": true}, "apps": []}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.keys(v)).toEqual(['__proto__', 'apps'])
  })

  const broken = [
    '{"apps": [ {"id": "/web", ',
    '{"apps": [{"id": "/a"} {"id": "/b"}]}',
    '{"apps": [{"id": "/a"},]}',
    '{"apps": [{"id": "/a"}]} trailing',
    '{"apps": [{"id": "/a}]}',
    '{apps: []}',
    '',
  ]
  for (const text of broken) it(`throws SyntaxError like JSON.parse: ${JSON.stringify(text)}`, () => sameError(text))

  it('matches JSON.parse on every conformance state and a synthetic 200-app state', () => {
    const dir = join(ROOT, 'fixtures', 'conformance')
    const files = readdirSync(dir).map((name) => join(dir, name, 'apps.json')).filter((f) => existsSync(f))
    expect(files.length).toBeGreaterThan(40)
    for (const file of files) same(readFileSync(file, 'utf8'))
    same(JSON.stringify(generateState(200, 7)))
  })
})
