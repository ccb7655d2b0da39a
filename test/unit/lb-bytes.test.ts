import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {shapedParser} from '../../src/marathon/lb-bytes.js'
import {keepLbFields} from '../../src/marathon/lb-fields.js'
import {ROOT} from '../cli-run.js'
import {chunks} from '../chunks.js'

/** What the byte path must equal: JSON.parse, then the projection of each app. */
function expected(text: string): unknown {
  const body = JSON.parse(text) as {apps: unknown[]}
  return {...body, apps: body.apps.map(keepLbFields)}
}

function same(text: string, sizes = [1, 7, 64, 4096, 65536]): void {
  for (const size of sizes) expect(parseAppsChunks(chunks(text, size), keepLbFields), `chunks of ${size}`).toEqual(expected(text))
}

describe('shape-directed parsing from bytes equals JSON.parse then projection', () => {
  const apps: {desc: string; app: string}[] = [
    {desc: 'escaped keys are decoded before matching', app: '{"\\u0069d": "/a", "t\\u0061sks": [{"h\\u006fst": "h", "x": 1}], "\\u0065nv": {"A": "b"}}'},
    {desc: 'escapes, unicode and control escapes in kept strings', app: '{"id": "/a\\"b\\\\c\\n\\u00e9", "labels": {"X": "日本 ü", "Y": "\\ud83d\\ude00"}, "env": {"Z": "\\"}"}}'},
    {desc: 'numbers of every form', app: '{"id": "/n", "instances": -0, "ports": [0, 1, -12, 1.5, -2.5e-3, 1E+2, 12345678901234567890, 9007199254740993], "x": [1e5, -0.0]}'},
    {desc: 'literals and nulls kept and skipped', app: '{"id": "/l", "ipAddress": null, "container": {"docker": null, "x": [true, false, null]}, "tasks": [null, true, {"alive": false}]}'},
    {desc: 'a __proto__ key inside a kept value stays data', app: '{"id": "/p", "labels": {"__proto__": "x", "a": "b"}, "healthChecks": [{"__proto__": {"y": 1}}]}'},
    {desc: 'duplicate keys: last wins', app: '{"id": "/a", "id": "/b", "tasks": [{"id": "1"}], "tasks": [{"id": "2", "id": "3"}]}'},
    {desc: 'integer-like label keys keep JSON.parse order', app: '{"id": "/o", "labels": {"b": "1", "10": "x", "2": "y", "a": "z"}}'},
    {desc: 'values of unexpected types', app: '{"id": 5, "tasks": {"id": "x"}, "portDefinitions": [[{"port": 1}], 3], "container": "c", "networks": "n"}'},
    {desc: 'white space everywhere', app: ' {\n "id" : "/w" ,\t"tasks" : [ { "id" : "t" , "ports" : [ 1 , 2 ] } ] , "env" : { } , "z" : [ ] } '},
  ]
  for (const a of apps) it(a.desc, () => same(`{"apps": [${a.app}, ${a.app}]}`))

  it('matches on every conformance state and a synthetic state', () => {
    const dir = join(ROOT, 'fixtures', 'conformance')
    const files = readdirSync(dir).map((name) => join(dir, name, 'apps.json')).filter((f) => existsSync(f))
    for (const file of files) same(readFileSync(file, 'utf8'), [3, 65536])
    same(JSON.stringify(generateState(300, 11)), [1000, 65536])
  })

  const broken = [
    '{"apps": [{"id": "/a", "env": {"x" 1}}]}',
    '{"apps": [{"id": "/a", "env": [1,]}]}',
    '{"apps": [{"id": "/a", "env": tru}]}',
    '{"apps": [{"id": "/a", "instances": 01}]}',
    '{"apps": [{"id": "/a", "instances": 1.}]}',
    '{"apps": [{"id": "/a", "instances": -}]}',
    '{"apps": [{"id": "/a\u0001"}]}',
    '{"apps": [{"id": "/a"]}',
    '{"apps": [{"id": "/a", "env": {"k": "v"}',
    '{"apps": [{"id": "/a\\x"}]}',
  ]
  for (const text of broken) {
    it(`throws SyntaxError: ${JSON.stringify(text)}`, () => {
      for (const size of [1, 5, 65536]) expect(() => parseAppsChunks(chunks(text, size), keepLbFields), `chunks of ${size}`).toThrow(SyntaxError)
    })
  }

  it('reports bytes that end inside the value as incomplete, not as an error', () => {
    const parse = shapedParser({keys: ['id']})
    const text = Buffer.from('{"id": "/a", "n": 12')
    for (let i = 0; i < text.length; i++) expect(parse(text.subarray(0, i), 0)).toBeUndefined()
    expect(parse(Buffer.from('{"id": "/a", "n": 12}'), 0)).toEqual({value: {id: '/a'}, end: 21})
  })
})
