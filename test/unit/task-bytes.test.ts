import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {readLbApps} from '../../src/marathon/lb-fields.js'
import {readTaskList} from '../../src/marathon/task-bytes.js'
import {parseMarathonApps, ReadTasks} from '../../src/model/apps.js'
import {ROOT} from '../cli-run.js'
import {chunks} from '../chunks.js'

/** The model read the fast way (task lists straight from bytes) equals the model of JSON.parse. */
function same(text: string, sizes = [1, 7, 64, 4096, 65536]): void {
  const expected = parseMarathonApps(JSON.parse(text))
  for (const size of sizes) expect(parseMarathonApps(parseAppsChunks(chunks(text, size), readLbApps)), `chunks of ${size}`).toEqual(expected)
}

const task = (fields: string): string => `{"id": "/a", "instances": 1, "tasks": [${fields}]}`

describe('tasks read straight into the model equal the model of JSON.parse', () => {
  const cases: {desc: string; app: string}[] = [
    {desc: 'a plain task with every field', app: task('{"id": "t1", "slaveId": "s", "host": "10.0.0.1", "state": "TASK_RUNNING", "ports": [31000, 31001], "ipAddresses": [{"ipAddress": "9.0.0.1", "protocol": "IPv4"}, {"protocol": "IPv6"}], "healthCheckResults": [{"alive": false, "lastSuccess": "x"}, {"alive": true, "lastFailure": null}], "startedAt": "2024"}')},
    {desc: 'nulls read as absent', app: task('{"id": null, "host": null, "ports": null, "state": null, "ipAddresses": null, "healthCheckResults": null}')},
    {desc: 'empty task, empty lists', app: task('{}, {"ports": [], "ipAddresses": [], "healthCheckResults": []}, {"ipAddresses": [{}], "healthCheckResults": [{}]}')},
    {desc: 'alive that is not the literal true', app: task('{"healthCheckResults": [{"alive": "true"}, {"alive": 1}, {"alive": null}, {"alive": {"x": [true]}}]}')},
    {desc: 'numbers of every form in ports', app: task('{"ports": [0, -0, 1.0, 1e3, 2E+1, 65535]}')},
    {desc: 'non-ASCII and long strings', app: task(`{"id": "${'x'.repeat(300)}", "host": "hôte.example", "state": "日本"}`)},
    {desc: 'skipped values of every kind', app: task('{"x": {"a": [1, -2.5e-3, true, false, null, {"b": "c\\"\\\\"}], "d": {}}, "y": [], "host": "h", "z": "\\u00e9"}')},
    {desc: 'white space everywhere', app: ` { "id" : "/w" , "tasks" : [ { "id" : "t" , "ports" : [ 1 , 2 ] , "ipAddresses" : [ { "ipAddress" : "1.2.3.4" } ] , "healthCheckResults" : [ { "alive" : true } ] } , { } ] } `},
    // The cases below step aside to the general route, which must still give the model's answer.
    {desc: 'a port that is not an integer', app: task('{"id": "t", "host": "h", "ports": [1.5]}')},
    {desc: 'a host of the wrong type', app: task('{"id": "t", "host": 5}')},
    {desc: 'ports out of range', app: task('{"id": "t", "ports": [31000, 70000]}, {"id": "u", "ports": [-1]}')},
    {desc: 'an address that is not one word', app: task('{"ipAddresses": [{"ipAddress": "1.2.3.4 backup"}]}')},
    {desc: 'a later address that is not one word', app: task('{"ipAddresses": [{"ipAddress": "1.2.3.4"}, {"ipAddress": "9.9.9.9 x"}]}')},
    {desc: 'an address with an escaped newline', app: task('{"ipAddresses": [{"ipAddress": "9.9.9.9\\n  server evil 1.1.1.1:1"}]}')},
    {desc: 'a task that is not an object', app: task('{"id": "t"}, "odd", null')},
    {desc: 'duplicate keys: the last one wins', app: task('{"host": "a", "host": "b", "ipAddresses": [{"ipAddress": "1.1.1.1", "ipAddress": "2.2.2.2"}], "healthCheckResults": [{"alive": true, "alive": false}]}')},
    {desc: 'escaped keys and values', app: task('{"h\\u006fst": "h", "id": "t\\n1"}')},
    {desc: 'tasks that is not a list', app: '{"id": "/a", "tasks": {"id": "t"}}'},
    {desc: 'tasks that is null', app: '{"id": "/a", "tasks": null}'},
    {desc: 'ipAddresses of the wrong shape', app: task('{"ipAddresses": ["1.2.3.4"]}, {"ipAddresses": [{"ipAddress": 7}]}')},
    {desc: 'healthCheckResults of the wrong shape', app: task('{"healthCheckResults": [true]}')},
  ]
  for (const c of cases) it(c.desc, () => same(`{"apps": [${c.app}, ${c.app}]}`))

  it('matches on every conformance state and a synthetic state', () => {
    const dir = join(ROOT, 'fixtures', 'conformance')
    const files = readdirSync(dir).map((name) => join(dir, name, 'apps.json')).filter((f) => existsSync(f))
    for (const file of files) same(readFileSync(file, 'utf8'), [3, 65536])
    same(JSON.stringify(generateState(300, 11)), [1000, 65536])
  })

  it('takes the common case itself and steps aside for the rest', () => {
    const read = (s: string): unknown => readTaskList(Buffer.from(s), 0)
    expect(read('[{"id": "t", "host": "h"}]')).toMatchObject({value: expect.any(ReadTasks), end: 26})
    expect(read('[{"id": "t", "host": 5}]')).toBeNull()
    expect(read('[{"id": "t", "id": "u"}]')).toBeNull()
    expect(read('null')).toBeNull()
  })

  it('reports bytes that end inside the list as incomplete, at every cut', () => {
    const text = Buffer.from('[{"id": "t", "x": [1.5e3, true, null, {"k": "v\\""}], "ports": [12], "healthCheckResults": [{"alive": true}]}]')
    for (let i = 0; i < text.length; i++) expect(readTaskList(text.subarray(0, i), 0), `cut at ${i}`).toBeUndefined()
    expect(readTaskList(text, 0)).not.toBeNull()
  })

  const broken = [
    '{"apps": [{"id": "/a", "tasks": [{"x": {"k" 1}}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"x": [1,]}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"x": tru}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"ports": [01]}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"ports": [1.]}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"host": "h\u0001"}]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"host": "h"]}]}',
    '{"apps": [{"id": "/a", "tasks": [{"host": "h\\x"}]}]}',
  ]
  for (const text of broken) {
    it(`throws SyntaxError: ${JSON.stringify(text)}`, () => {
      for (const size of [1, 5, 65536]) expect(() => parseAppsChunks(chunks(text, size), readLbApps), `chunks of ${size}`).toThrow(SyntaxError)
    })
  }
})
