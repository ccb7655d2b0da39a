import {tmpdir} from 'node:os'

import {describe, expect, it} from 'vitest'

import {generateState} from '../../bench/gen-state.js'
import {generateConfig, GenerateMemo, generateOptions} from '../../src/generate.js'
import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {readLbApps, reusingLbApps} from '../../src/marathon/lb-fields.js'
import {parseMarathonApps} from '../../src/model/apps.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {chunks} from '../chunks.js'

type Json = {apps: Record<string, any>[]}

const clone = (s: Json): Json => JSON.parse(JSON.stringify(s)) as Json

/** Reads `state` with `reader` (a new body) and checks the model against a fresh read. */
function readBoth(reader: ReturnType<typeof reusingLbApps>, state: Json | string, size = 4096): {reused: number; again: number; apps: unknown[]} {
  const text = typeof state === 'string' ? state : JSON.stringify(state)
  reader.begin()
  const body = parseAppsChunks(chunks(text, size), reader.transform) as {apps: unknown[]}
  expect(parseMarathonApps(body)).toEqual(parseMarathonApps(parseAppsChunks(chunks(text, size), readLbApps)))
  return {reused: reader.reused, again: reader.readAgain, apps: body.apps}
}

describe('reuse of unchanged apps between bodies', () => {
  const base = generateState(40, 3) as Json

  it('hands back the same value for an app whose load-balancing fields did not change', () => {
    const reader = reusingLbApps()
    const first = readBoth(reader, base)
    expect(first).toMatchObject({reused: 0, again: 40})
    const second = readBoth(reader, base)
    expect(second).toMatchObject({reused: 40, again: 0})
    second.apps.forEach((app, i) => expect(app).toBe(first.apps[i]))
  })

  it('ignores fields load balancing does not read (health-check times, counters, env), and sees every field it reads', () => {
    const reader = reusingLbApps()
    readBoth(reader, base)
    const timestamps = clone(base)
    for (const app of timestamps.apps) {
      app['tasksRunning'] = 99
      app['env'] = {CHANGED: 'yes'}
      for (const t of app['tasks']) {
        t.startedAt = '2030-01-01T00:00:00.000Z'
        if (t.healthCheckResults !== undefined) t.healthCheckResults[0].lastSuccess = '2030-01-01T00:00:00.000Z'
      }
    }
    expect(readBoth(reader, timestamps)).toMatchObject({reused: 40, again: 0})

    const edits: ((s: Json) => void)[] = [
      (s) => (s.apps[0]!['tasks'][0].host = '10.9.9.9'),
      (s) => (s.apps[1]!['labels']['HAPROXY_0_VHOST'] = 'other.example.com'),
      (s) => (s.apps[2]!['tasks'][1].ports = [1, 2]),
      (s) => (s.apps[3]!['tasks'][0].state = 'TASK_KILLING'),
      (s) => (s.apps[4]!['instances'] = 7),
      (s) => s.apps[5]!['tasks'].pop(),
      (s) => (s.apps[6]!['healthChecks'] = []),
      (s) => (s.apps[7]!['tasks'][0].ipAddresses = []),
      (s) => (s.apps[11]!['tasks'][0].healthCheckResults = [{alive: false}]),
    ]
    for (const [i, edit] of edits.entries()) {
      const s = clone(timestamps)
      edit(s)
      expect(readBoth(reader, s), `edit ${i}`).toMatchObject({reused: 39, again: 1})
      readBoth(reader, timestamps)
    }
  })

  it('reads again an app whose id is not its first key or that has an escaped key, and forgets removed apps', () => {
    const reader = reusingLbApps()
    const text = '{"apps": [{"labels": {}, "id": "/late"}, {"id": "/esc", "t\\u0061sks": []}, {"id": "/plain", "tasks": []}]}'
    expect(readBoth(reader, text, 7)).toMatchObject({reused: 0, again: 3})
    expect(readBoth(reader, text, 7)).toMatchObject({reused: 1, again: 2})
    expect(readBoth(reader, '{"apps": []}')).toMatchObject({reused: 0, again: 0})
    expect(readBoth(reader, text, 7)).toMatchObject({reused: 0, again: 3})
  })

  it('still refuses bytes that are not JSON in an app it would reuse', () => {
    const reader = reusingLbApps()
    readBoth(reader, '{"apps": [{"id": "/a", "tasks": [], "env": {"k": "v"}}]}')
    for (const broken of ['{"apps": [{"id": "/a", "tasks": [], "env": {"k" "v"}}]}', '{"apps": [{"id": "/a", "tasks": [], "env": [1,]}]}', '{"apps": [{"id": "/a", "tasks": [], "env": tru}]}']) {
      reader.begin()
      expect(() => parseAppsChunks(chunks(broken, 5), reader.transform)).toThrow(SyntaxError)
    }
  })

  it('gives the same configuration as a fresh read over a run of events', () => {
    const templates = loadTemplateSet({env: {}, cwd: tmpdir()})
    const options = generateOptions({groups: ['external'], healthCheck: true})
    const reader = reusingLbApps()
    const memo = new GenerateMemo()
    const state = generateState(200, 5) as Json
    for (let event = 0; event < 6; event++) {
      const s = clone(state)
      s.apps[event * 13]!['tasks'][0].host = `10.7.${event}.1`
      const hc = s.apps[event * 7 + 1]!['tasks'][1].healthCheckResults
      if (hc !== undefined) hc[0].alive = event % 2 === 0
      if (event === 3) s.apps[20]!['labels']['HAPROXY_0_MODE'] = 'http'
      const text = JSON.stringify(s)
      reader.begin()
      const reused = generateConfig({marathon: parseAppsChunks(chunks(text, 65536), reader.transform), options, templates, hostIps: new Map(), memo})
      const fresh = generateConfig({marathon: JSON.parse(text), options, templates, hostIps: new Map()})
      expect(reused.config, `event ${event}`).toBe(fresh.config)
      expect([...reused.healthObservations]).toEqual([...fresh.healthObservations])
      if (event > 0) expect(reader.reused).toBeGreaterThan(190)
    }
  })

  it('renders again only the services of an app that changed (the memo is used, not just filled)', () => {
    const base = loadTemplateSet({env: {}, cwd: tmpdir()})
    let lookups = 0
    const templates = {...base, get: (name: string) => (lookups++, base.get(name))}
    const options = generateOptions({groups: ['external'], healthCheck: true})
    const reader = reusingLbApps()
    const memo = new GenerateMemo()
    const state = generateState(200, 9) as Json
    const render = (s: Json): {config: string; lookups: number} => {
      lookups = 0
      reader.begin()
      const config = generateConfig({marathon: parseAppsChunks(chunks(JSON.stringify(s), 65536), reader.transform), options, templates, hostIps: new Map(), memo}).config
      return {config, lookups}
    }
    const first = render(state)
    const again = render(state)
    const changed = clone(state)
    changed.apps[1]!['tasks'][0].host = '10.8.8.8' // a Docker bridge app: the host is the server's address
    const one = render(changed)
    expect(again.config).toBe(first.config)
    // Only the global sections look templates up when nothing changed; one app's services add a few.
    expect(again.lookups).toBeLessThan(first.lookups / 20)
    expect(one.lookups).toBeGreaterThan(again.lookups)
    expect(one.lookups).toBeLessThan(first.lookups / 10)
    expect(one.config).toContain('10.8.8.8')
  })
})
