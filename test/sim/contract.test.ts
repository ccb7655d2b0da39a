/**
 * Contract test (issue 3 "Proof"): the real Marathon responses marathon-lb's own tests were
 * written against (marathon-api §11, fixtures/marathon/) are loaded into the simulator, and the
 * simulator's `GET /v2/apps?embed=apps.tasks` is read through mlb's own parsing path
 * (`parseMarathonApps`) and configuration generator (`generateConfig`) exactly like the real
 * response. The pre-1.5 fixtures also show that the simulator's 1.5-shape normalization of old
 * networking fields (`ports`, `container.docker.network`) means the same thing to mlb.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseMarathonApps} from '../../src/model/apps.js'
import type {App} from '../../src/model/types.js'
import {generate} from '../builders.js'
import {call, simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const fn of cleanups) await fn()
})

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'marathon')
const CASES = [
  {file: 'marathon15_apps.json', shape: '1.5'},
  {file: 'zdd_app_blue_marathon1.5.json', shape: '1.5'},
  {file: 'zdd_app_blue.json', shape: 'pre-1.5'},
  {file: 'zdd_apps.json', shape: 'pre-1.5'},
] as const

/** The fields of spec §5.1a that do not depend on the JSON shape (old vs 1.5 networking). */
function meaning(app: App): unknown {
  return {
    id: app.id, labels: app.labels, instances: app.instances, lastScalingAt: app.lastScalingAt,
    healthChecks: app.healthChecks.map(({raw: _raw, ...typed}) => typed),
    // ≤1.4 tasks may lack `state` (marathon-lb keeps them, marathon-api §5); 1.5+ always sends it.
    tasks: app.tasks.map((t) => ({...t, state: t.state ?? 'TASK_RUNNING'})),
  }
}

async function simulated(real: unknown): Promise<unknown> {
  const sim = await simulator({virtualTasks: true, apps: real}, (fn) => cleanups.push(fn))
  return (await call(sim.url, 'GET', '/v2/apps?embed=apps.tasks')).body
}

describe.each(CASES)('$file ($shape)', ({file}) => {
  const real: unknown = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'))

  it('parses without problems, with the same apps and tasks as the real response', async () => {
    const sim = await simulated(real)
    const fromReal = parseMarathonApps(real)
    const fromSim = parseMarathonApps(sim)
    expect(fromReal.problems).toEqual([])
    expect(fromSim.problems).toEqual([])
    expect(fromSim.apps.map(meaning)).toEqual(fromReal.apps.map(meaning))
  })

  it.each([
    {desc: 'defaults', options: {}},
    {desc: '--health-check --group external', options: {healthCheck: true, groups: ['external']}},
    {desc: '--haproxy-map', options: {haproxyMap: true}},
  ])('generates the same HAProxy configuration ($desc)', async ({options}) => {
    const sim = await simulated(real)
    const fromReal = generate(real, options)
    const fromSim = generate(sim, options)
    expect(fromSim.skipped).toEqual(fromReal.skipped)
    expect(fromSim.config).toBe(fromReal.config)
    expect(fromSim.domainMap).toBe(fromReal.domainMap)
    expect(fromSim.appMap).toBe(fromReal.appMap)
    expect(fromReal.config).toMatch(/server \S+ \d+\.\d+\.\d+\.\d+:\d+/)
  })
})

describe('live simulator state', () => {
  it('an app deployed with real tasks renders one server per running task, at the task\'s real port', async () => {
    const sim = await simulator({stagingMs: 10, startingMs: 10, taskPorts: {min: 32200, max: 32699}}, (fn) => cleanups.push(fn))
    const app = {id: '/web', cmd: 'simulated', instances: 2, labels: {HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com'}, portDefinitions: [{port: 0}]}
    expect((await call(sim.url, 'POST', '/v2/apps', app)).status).toBe(201)
    await sim.waitForDeployments()
    const body = (await call(sim.url, 'GET', '/v2/apps?embed=apps.tasks')).body
    expect(parseMarathonApps(body).problems).toEqual([])
    const {config} = generate(body, {groups: ['external']})
    const servers = [...config.matchAll(/server \S+ (127\.0\.0\.1):(\d+)/g)].map((m) => Number(m[2])).sort()
    expect(servers).toEqual(sim.tasks('/web').map((t) => t.ports[0]).sort())
    await until(async () => {
      const r = await fetch(`http://127.0.0.1:${servers[0]}/`)
      return ((await r.json()) as {appId: string}).appId === '/web'
    }, 2000, 'task answers')
  })
})
