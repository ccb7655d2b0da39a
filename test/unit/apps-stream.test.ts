import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {keepLbFields} from '../../src/marathon/lb-fields.js'
import {ROOT} from '../cli-run.js'
import {chunks} from '../chunks.js'

/** The body cut into pieces of `size` bytes (multi-byte characters may be split). */
const SIZES = [1, 2, 7, 64, 65536]

function same(text: string): void {
  for (const size of SIZES) expect(parseAppsChunks(chunks(text, size)), `chunks of ${size}`).toEqual(JSON.parse(text))
}

function sameError(text: string): void {
  let expected: unknown
  try {
    JSON.parse(text)
  } catch (err) {
    expected = err
  }
  expect(expected).toBeInstanceOf(SyntaxError)
  for (const size of SIZES) expect(() => parseAppsChunks(chunks(text, size)), `chunks of ${size}`).toThrow(SyntaxError)
}

describe('incremental per-app parsing of the /v2/apps body equals JSON.parse', () => {
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
    {desc: 'runs of backslashes before quotes, split anywhere', text: JSON.stringify({apps: [{a: 'x\\\\\\"y', b: '\\', c: '\\\\"', d: ['\\"}', '{[\\\\']}], k: '\\\\\\'})},
    {desc: 'one value much larger than a chunk', text: JSON.stringify({apps: [{id: '/big', env: {X: 'v'.repeat(300_000)}, tasks: Array.from({length: 2000}, (_, i) => ({id: `t${i}`}))}]})},
    {desc: 'numbers split across chunks', text: '{"n": 12345678901234, "apps": [1234567, -0.5e-7], "m": 42}'},
  ]
  for (const s of shapes) it(s.desc, () => same(s.text))

  it('keeps __proto__ as an own property without touching the prototype', () => {
    const v = parseAppsChunks(chunks('{"__proto__": {"polluted": true}, "apps": []}', 3)) as Record<string, unknown>
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
    '{"apps": []}}',
    '{"apps": [] "x": 1}',
    '{"apps" []}',
    '   ',
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

describe('load-balancing fields only (spec §5.1a)', () => {
  it('keeps the app and task keys the core reads and drops the rest', () => {
    const app = {
      id: '/a', labels: {}, instances: 1, ports: [1], portDefinitions: [], ipAddress: null, container: {}, networks: [], healthChecks: [], versionInfo: {},
      cmd: 'x', env: {SECRET: 'y'}, deployments: [], constraints: [],
      tasks: [{id: 't', host: 'h', ports: [2], state: 'TASK_RUNNING', ipAddresses: [], healthCheckResults: [], slaveId: 's', startedAt: 'x', version: 'v'}],
    }
    const text = JSON.stringify({apps: [app, 5]})
    expect(parseAppsChunks(chunks(text, 10), keepLbFields)).toEqual({
      apps: [
        {
          id: '/a', labels: {}, instances: 1, ports: [1], portDefinitions: [], ipAddress: null, container: {}, networks: [], healthChecks: [], versionInfo: {},
          tasks: [{id: 't', host: 'h', ports: [2], state: 'TASK_RUNNING', ipAddresses: [], healthCheckResults: []}],
        },
        5,
      ],
    })
  })

  it('passes over a raw control character in a string it drops, and refuses one in a string it keeps', () => {
    // JSON.parse refuses both; Marathon sends neither. Only what mlb reads is checked (byte-scanner.ts).
    const dropped = '{"apps": [{"id": "/a", "env": {"A": "x\ny"}, "tasks": [{"id": "t", "slaveId": "s\tx", "host": "h"}]}]}'
    const clean = dropped.replace('\n', ' ').replace('\t', ' ')
    expect(parseAppsChunks(chunks(dropped, 7), keepLbFields)).toEqual(parseAppsChunks(chunks(clean, 7), keepLbFields))
    expect(() => parseAppsChunks(chunks('{"apps": [{"id": "/a\nb"}]}', 7), keepLbFields)).toThrow(SyntaxError)
    expect(() => parseAppsChunks(chunks('{"apps": [{"id": "/a", "tasks": [{"host": "h\tx"}]}]}', 7), keepLbFields)).toThrow(SyntaxError)
  })

  it('projects nested objects to the fields read and keeps values of unexpected types', () => {
    const app = {
      id: '/a',
      portDefinitions: [{port: 1, name: 'http', labels: {x: 'y'}}, 'odd'],
      networks: [{mode: 'container', name: 'dcos'}],
      container: {type: 'DOCKER', volumes: [{}], docker: {image: 'nginx', network: 'BRIDGE', portMappings: [{containerPort: 80, hostPort: 0, servicePort: 10000, protocol: 'tcp'}]}, portMappings: 'bad'},
      ipAddress: {networkName: 'dcos'},
      healthChecks: [{protocol: 'HTTP', path: '/', portIndex: 0, timeoutSeconds: 1, intervalSeconds: 2, gracePeriodSeconds: 3, maxConsecutiveFailures: 4, delaySeconds: 15}],
      tasks: [{id: 't', host: 'h', ipAddresses: [{ipAddress: '9.0.0.1', protocol: 'IPv4'}], healthCheckResults: [{alive: true, consecutiveFailures: 0, instanceId: 'i'}]}, null],
    }
    expect(keepLbFields(app)).toEqual({
      id: '/a',
      portDefinitions: [{port: 1}, 'odd'],
      networks: [{mode: 'container'}],
      container: {docker: {network: 'BRIDGE', portMappings: [{containerPort: 80, servicePort: 10000}]}, portMappings: 'bad'},
      ipAddress: {networkName: 'dcos'},
      healthChecks: app.healthChecks,
      tasks: [{id: 't', host: 'h', ipAddresses: [{ipAddress: '9.0.0.1'}], healthCheckResults: [{alive: true}]}, null],
    })
  })
})

describe('apps that run past a chunk', () => {
  /** keepLbFields, counting how often its byte reader is called. */
  function counting(): {transform: typeof keepLbFields; calls: () => number} {
    let calls = 0
    const transform = Object.assign((app: unknown) => keepLbFields(app), {
      fromBytes: (buf: Buffer, pos: number) => {
        calls++
        return keepLbFields.fromBytes(buf, pos)
      },
    })
    return {transform, calls: () => calls}
  }

  const text = JSON.stringify(generateState(40, 3))

  it('are read whole with the next chunk, or scanned: the same apps as from one buffer', () => {
    const whole = parseAppsChunks([Buffer.from(text)], keepLbFields)
    for (const size of [1, 3, 100, 1000, 4096, 65536]) expect(parseAppsChunks(chunks(text, size), keepLbFields), `chunks of ${size}`).toEqual(whole)
  })

  it('make a SyntaxError when the body ends inside one, wherever the chunks end', () => {
    for (const cut of [500, 3000]) {
      const text2 = text.slice(0, text.length - cut)
      for (const size of [1, 100, 4096, 65536]) expect(() => parseAppsChunks(chunks(text2, size), keepLbFields), `cut ${cut}, chunks of ${size}`).toThrow(SyntaxError)
    }
  })

  it('are read from their start a bounded number of times, whatever the chunks', () => {
    // Trying an app again from its start for every chunk it spans would be quadratic.
    for (const size of [1, 3, 100]) {
      const c = counting()
      parseAppsChunks(chunks(text, size), c.transform)
      expect(c.calls(), `chunks of ${size}`).toBeLessThanOrEqual(3 * 40)
    }
    // One 400 KB app in chunks larger than the head a carried app is read with: tried in its
    // first chunk, with the head of the next, with the whole next; then scanned and read once.
    const big = JSON.stringify({apps: [{id: '/big', env: {X: 'v'.repeat(400_000)}, tasks: [{id: 't', host: 'h'}]}]})
    for (const size of [20_000, 40_000, 65_536]) {
      const c = counting()
      expect(parseAppsChunks(chunks(big, size), c.transform)).toEqual(parseAppsChunks([Buffer.from(big)], keepLbFields))
      expect(c.calls(), `chunks of ${size}`).toBeLessThanOrEqual(4)
    }
  })
})
