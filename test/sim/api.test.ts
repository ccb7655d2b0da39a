/**
 * Every REST endpoint's status codes, headers and shapes against marathon-api §2 and §9, on a
 * simulator with virtual tasks (no processes: fast and deterministic enough for shapes).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/simulator.js'
import {call, hostApp, simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
let sim: Simulator
let base: string

beforeAll(async () => {
  sim = await simulator({virtualTasks: true, stagingMs: 20, startingMs: 20}, (fn) => cleanups.push(fn))
  base = sim.url
})
afterAll(async () => {
  for (const fn of cleanups) await fn()
})

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('system endpoints', () => {
  it('GET /ping negotiates text/plain, JSON or 204 (§2.10)', async () => {
    const plain = await call(base, 'GET', '/ping', undefined, {accept: '*/*'})
    expect([plain.status, plain.text, plain.headers.get('content-type')]).toEqual([200, 'pong', 'text/plain'])
    const json = await call(base, 'GET', '/ping', undefined, {accept: 'application/json'})
    expect([json.status, json.body]).toEqual([200, 'pong'])
    expect((await call(base, 'GET', '/ping', undefined, {accept: 'image/png'})).status).toBe(204)
  })

  it('adds the common headers to every answer (§1)', async () => {
    const r = await call(base, 'GET', '/v2/apps')
    expect(r.headers.get('x-marathon-leader')).toBe(`http://${sim.address}`)
    expect(r.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate')
    expect(r.headers.get('x-frame-options')).toBe('DENY')
    expect(r.headers.get('x-xss-protection')).toBe('1; mode=block')
    expect(r.headers.get('pragma')).toBe('no-cache')
    expect(r.headers.get('expires')).toBe('0')
  })

  it('GET /v2/info and /v2/leader', async () => {
    const info = await call(base, 'GET', '/v2/info')
    expect(info.status).toBe(200)
    expect(info.body).toMatchObject({name: 'marathon', version: '1.9.109', elected: true, leader: sim.address, marathon_config: {local_port_min: 10000, local_port_max: 20000}})
    expect(await call(base, 'GET', '/v2/leader')).toMatchObject({status: 200, body: {leader: sim.address}})
  })

  it('unknown routes answer 500 "URI not found", wrong methods 405 (§9)', async () => {
    expect(await call(base, 'GET', '/v2/nope')).toMatchObject({status: 500, body: {message: 'URI not found'}})
    expect((await call(base, 'DELETE', '/v2/apps')).status).toBe(405)
  })
})

describe('apps', () => {
  it('POST /v2/apps: 201 with Location, deployment header and the 1.5–1.9 body (§2.3)', async () => {
    const r = await call(base, 'POST', '/v2/apps', hostApp('shape', {instances: 2, labels: {HAPROXY_GROUP: 'external'}}))
    expect(r.status).toBe(201)
    const depId = r.headers.get('marathon-deployment-id')
    expect(depId).toMatch(UUID)
    expect(r.headers.get('location')).toBe(`http://${sim.address}/shape`)
    expect(r.body).toMatchObject({id: '/shape', instances: 2, tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, deployments: [{id: depId}], tasks: []})
    expect(r.body.version).toMatch(TIMESTAMP)
    expect(r.body.versionInfo).toBeUndefined()
    expect(r.body.portDefinitions[0].port).toBeGreaterThanOrEqual(10000)
    // Visible at once, with the running deployment (§2.3 side effects).
    const got = await call(base, 'GET', '/v2/apps/shape')
    expect(got.body.app.deployments).toEqual([{id: depId}])
    await sim.waitForDeployments()
  })

  it('POST errors: 409 duplicate, 422 invalid, 400 syntax and empty body (§9)', async () => {
    expect(await call(base, 'POST', '/v2/apps', hostApp('shape'))).toMatchObject({status: 409, body: {message: 'An app with id [/shape] already exists.'}})
    const bad = await call(base, 'POST', '/v2/apps', {id: 'x', instances: 'two'})
    expect(bad).toMatchObject({status: 422, body: {message: 'Invalid JSON', details: [{path: '/instances', errors: ['error.expected.jsnumber']}]}})
    const syntax = await call(base, 'POST', '/v2/apps', '{"id": ')
    expect(syntax.status).toBe(400)
    expect(syntax.body.message).toBe('Invalid JSON')
    expect(typeof syntax.body.details).toBe('string')
    expect(await call(base, 'POST', '/v2/apps', '')).toMatchObject({status: 400, body: {message: 'Please specify data in JSON format'}})
  })

  it('GET /v2/apps embeds counts and deployments always, tasks only on request (§2.1)', async () => {
    const plain = await call(base, 'GET', '/v2/apps')
    const app = plain.body.apps.find((a: {id: string}) => a.id === '/shape')
    expect(app).toMatchObject({tasksRunning: 2, tasksStaged: 0, tasksHealthy: 0, tasksUnhealthy: 0, deployments: []})
    expect(app.tasks).toBeUndefined()
    expect(app.versionInfo.lastScalingAt).toMatch(TIMESTAMP)
    const embedded = await call(base, 'GET', '/v2/apps?embed=apps.tasks&embed=apps.readiness')
    const withTasks = embedded.body.apps.find((a: {id: string}) => a.id === '/shape')
    expect(withTasks.tasks).toHaveLength(2)
    expect(withTasks.readinessCheckResults).toEqual([])
    expect(withTasks.tasks[0]).toMatchObject({appId: '/shape', host: '127.0.0.1', state: 'TASK_RUNNING', servicePorts: app.portDefinitions.map((p: {port: number}) => p.port)})
    expect(withTasks.tasks[0].id).toMatch(/^shape\.instance-[0-9a-f-]{36}\._app\.1$/)
    expect(withTasks.tasks[0].startedAt).toMatch(TIMESTAMP)
  })

  it('GET /v2/apps filters by id, cmd and label selector; 422 on a bad selector', async () => {
    await call(base, 'POST', '/v2/apps', hostApp('other', {instances: 0, labels: {HAPROXY_GROUP: 'internal'}}))
    const ids = async (q: string): Promise<string[]> => (await call(base, 'GET', `/v2/apps?${q}`)).body.apps.map((a: {id: string}) => a.id).sort()
    expect(await ids('id=SHA')).toEqual(['/shape'])
    expect(await ids(`label=${encodeURIComponent('HAPROXY_GROUP==internal')}`)).toEqual(['/other'])
    expect(await ids(`label=${encodeURIComponent('HAPROXY_GROUP in (internal,external)')}`)).toEqual(['/other', '/shape'])
    expect((await call(base, 'GET', `/v2/apps?label=${encodeURIComponent('A in (')}`)).status).toBe(422)
    await sim.waitForDeployments()
  })

  it('GET /v2/apps/{id}: tasks always, 404 body for unknown apps (§2.2)', async () => {
    const r = await call(base, 'GET', '/v2/apps/shape')
    expect(r.status).toBe(200)
    expect(r.body.app.tasks).toHaveLength(2)
    expect(await call(base, 'GET', '/v2/apps/nope')).toMatchObject({status: 404, body: {message: "App '/nope' does not exist"}})
    expect((await call(base, 'GET', '/v2/apps/shape/tasks')).body.tasks).toHaveLength(2)
  })

  it('PUT scale: 200 {version, deploymentId}; 409 while locked; force cancels the running one (§2.4)', async () => {
    const up = await call(base, 'PUT', '/v2/apps/shape', {instances: 4})
    expect(up.status).toBe(200)
    expect(Object.keys(up.body).sort()).toEqual(['deploymentId', 'version'])
    expect(up.headers.get('marathon-deployment-id')).toBe(up.body.deploymentId)
    const locked = await call(base, 'PUT', '/v2/apps/shape', {instances: 5})
    expect(locked.status).toBe(409)
    expect(locked.body).toEqual({
      message: "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
      deployments: [{id: up.body.deploymentId}],
    })
    sim.clearHistory()
    const forced = await call(base, 'PUT', '/v2/apps/shape?force=true', {instances: 3})
    expect(forced.status).toBe(200)
    expect(sim.events(['deployment_failed'])).toMatchObject([{id: up.body.deploymentId, reason: 'The upgrade has been cancelled'}])
    await sim.waitForDeployments()
    const app = (await call(base, 'GET', '/v2/apps/shape')).body.app
    expect(app.instances).toBe(3)
    expect(app.tasks.filter((t: {state: string}) => t.state === 'TASK_RUNNING')).toHaveLength(3)
    expect(app.versionInfo.lastScalingAt).toBe(forced.body.version)
    expect(app.versionInfo.lastConfigChangeAt).not.toBe(forced.body.version)
  })

  it('PUT that changes nothing does not conflict; PUT to a new id creates it (201); PATCH needs the app (§2.4)', async () => {
    const locking = await call(base, 'PUT', '/v2/apps/shape', {instances: 4})
    const same = await call(base, 'PUT', '/v2/apps/shape', {instances: 4})
    expect(same.status).toBe(200)
    expect(same.body.deploymentId).not.toBe(locking.body.deploymentId)
    const created = await call(base, 'PUT', '/v2/apps/fresh', hostApp('fresh', {instances: 0}))
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`http://${sim.address}/fresh`)
    expect(await call(base, 'PATCH', '/v2/apps/missing', {instances: 1})).toMatchObject({status: 404, body: {message: "App '/missing' does not exist"}})
    await sim.waitForDeployments()
  })

  it('PUT /v2/apps takes an array and returns one deployment', async () => {
    const r = await call(base, 'PUT', '/v2/apps', [{id: '/fresh', instances: 1}, {id: '/other', instances: 1}])
    expect(r.status).toBe(200)
    const dep = (await call(base, 'GET', '/v2/deployments')).body.find((d: {id: string}) => d.id === r.body.deploymentId)
    if (dep !== undefined) expect([...dep.affectedApps].sort()).toEqual(['/fresh', '/other'])
    await sim.waitForDeployments()
    const bad = await call(base, 'PUT', '/v2/apps', [{id: '/fresh'}, {id: '/other', instances: -3}])
    expect(bad).toMatchObject({status: 422, body: {message: 'Object is not valid', details: [{path: '(1)/instances'}]}})
  })
})

describe('deployments and tasks', () => {
  it('GET /v2/deployments lists running plans with 1-based currentStep (§2.8)', async () => {
    const slow = await call(base, 'POST', '/v2/apps', hostApp('slow', {instances: 1, readinessChecks: [{portName: 'http'}], portDefinitions: [{port: 0, name: 'http'}]}))
    const list = (await call(base, 'GET', '/v2/deployments')).body
    const dep = list.find((d: {id: string}) => d.id === slow.headers.get('marathon-deployment-id'))
    expect(dep).toMatchObject({
      affectedApps: ['/slow'], affectedPods: [], totalSteps: 2,
      steps: [{actions: [{action: 'StartApplication', app: '/slow'}]}, {actions: [{action: 'ScaleApplication', app: '/slow'}]}],
    })
    expect(dep.currentStep).toBeGreaterThanOrEqual(1)
    expect(dep.version).toMatch(TIMESTAMP)
    await sim.waitForDeployments()
    expect((await call(base, 'GET', '/v2/deployments')).body).toEqual([])
  })

  it('DELETE /v2/deployments/{id}: 404, revert (200) and force cancel (202)', async () => {
    expect(await call(base, 'DELETE', '/v2/deployments/nope')).toMatchObject({status: 404, body: {message: 'DeploymentPlan nope does not exist'}})
    // A readiness check that never passes keeps the deployment running (a "stuck" deployment, §6).
    const never = {readinessChecks: [{portName: 'http', intervalSeconds: 1, httpStatusCodesForReady: [299]}], portDefinitions: [{port: 0, name: 'http'}]}
    const created = await call(base, 'POST', '/v2/apps', hostApp('stuck', {instances: 1, ...never}))
    const depId = created.headers.get('marathon-deployment-id') as string
    const cancel = await call(base, 'DELETE', `/v2/deployments/${depId}?force=true`)
    expect([cancel.status, cancel.text]).toEqual([202, ''])
    const scale = await call(base, 'PUT', '/v2/apps/stuck', {instances: 2})
    const revert = await call(base, 'DELETE', `/v2/deployments/${scale.body.deploymentId}`)
    expect(revert.status).toBe(200)
    expect(revert.body.deploymentId).not.toBe(scale.body.deploymentId)
    expect((await call(base, 'GET', '/v2/apps/stuck')).body.app.instances).toBe(1)
    await call(base, 'DELETE', '/v2/apps/stuck')
    await sim.waitForDeployments()
  })

  it('GET /v2/tasks lists tasks with servicePorts and filters by status (§2.7)', async () => {
    const all = (await call(base, 'GET', '/v2/tasks')).body.tasks
    expect(all.length).toBeGreaterThan(0)
    expect(all.every((t: {servicePorts: number[]}) => Array.isArray(t.servicePorts))).toBe(true)
    expect((await call(base, 'GET', '/v2/tasks?status=staging')).body.tasks).toEqual([])
    const text = await call(base, 'GET', '/v2/tasks', undefined, {accept: 'text/plain'})
    expect(text.text).toMatch(/^shape\t\d+\t127\.0\.0\.1:\d+/m)
  })

  it('POST /v2/tasks/delete?scale=true lowers instances by the ids killed; 400 cases (§2.6)', async () => {
    const before = (await call(base, 'GET', '/v2/apps/shape')).body.app
    const victims = before.tasks.slice(0, 2).map((t: {id: string}) => t.id)
    expect(await call(base, 'POST', '/v2/tasks/delete?scale=true&wipe=true', {ids: victims})).toMatchObject({status: 400, body: {message: 'You cannot use scale and wipe at the same time.'}})
    expect((await call(base, 'POST', '/v2/tasks/delete', {ids: ['not a task id']})).status).toBe(400)
    const r = await call(base, 'POST', '/v2/tasks/delete?scale=true', {ids: victims})
    expect(r.status).toBe(200)
    expect(r.headers.get('marathon-deployment-id')).toBe(r.body.deploymentId)
    const after = (await call(base, 'GET', '/v2/apps/shape')).body.app
    expect(after.instances).toBe(before.instances - 2)
    expect(after.versionInfo.lastScalingAt).toBe(r.body.version)
    await sim.waitForDeployments()
    const ids = (await call(base, 'GET', '/v2/apps/shape')).body.app.tasks.map((t: {id: string}) => t.id)
    expect(ids.filter((id: string) => victims.includes(id))).toEqual([])
    expect(ids).toHaveLength(before.instances - 2)
  })

  it('POST /v2/tasks/delete without scale kills and replaces, answering the tasks', async () => {
    const victim = (await call(base, 'GET', '/v2/apps/shape')).body.app.tasks[0]
    const r = await call(base, 'POST', '/v2/tasks/delete', {ids: [victim.id]})
    expect(r.status).toBe(200)
    expect(r.body.tasks.map((t: {id: string}) => t.id)).toEqual([victim.id])
    const instances = (await call(base, 'GET', '/v2/apps/shape')).body.app.instances
    await until(() => sim.tasks('/shape').filter((t) => t.state === 'TASK_RUNNING' && t.id !== victim.id).length === instances, 5000, 'replacement')
  })

  it('DELETE /v2/apps/{id}: 200, gone from GET at once, 404 afterwards (§2.5)', async () => {
    const r = await call(base, 'DELETE', '/v2/apps/shape')
    expect(r.status).toBe(200)
    expect(r.headers.get('marathon-deployment-id')).toBe(r.body.deploymentId)
    expect((await call(base, 'GET', '/v2/apps/shape')).status).toBe(404)
    expect((await call(base, 'GET', '/v2/tasks')).body.tasks.filter((t: {appId: string}) => t.appId === '/shape')).toEqual([])
    expect((await call(base, 'DELETE', '/v2/apps/shape')).status).toBe(404)
    await sim.waitForDeployments()
  })

  it('a base path serves the same API', async () => {
    const prefixed = await simulator({virtualTasks: true, basePath: '/marathon'}, (fn) => cleanups.push(fn))
    expect(prefixed.url).toMatch(/\/marathon$/)
    expect((await call(prefixed.url, 'GET', '/v2/apps')).body).toEqual({apps: []})
  })
})

describe('per-app task endpoints (§2.6)', () => {
  it('DELETE /v2/apps/{id}/tasks/{taskId} answers {task}; with scale=true a deployment; 404s', async () => {
    await call(base, 'POST', '/v2/apps', hostApp('per-app', {instances: 3}))
    await sim.waitForDeployments()
    const [a, b] = sim.tasks('/per-app')
    const one = await call(base, 'DELETE', `/v2/apps/per-app/tasks/${a!.id}`)
    expect(one.status).toBe(200)
    expect(one.body.task.id).toBe(a!.id)
    const scaled = await call(base, 'DELETE', `/v2/apps/per-app/tasks/${b!.id}?scale=true`)
    expect(scaled.status).toBe(200)
    expect(scaled.headers.get('marathon-deployment-id')).toBe(scaled.body.deploymentId)
    expect((await call(base, 'GET', '/v2/apps/per-app')).body.app.instances).toBe(2)
    expect((await call(base, 'DELETE', '/v2/apps/per-app/tasks/per-app.instance-00000000-0000-0000-0000-000000000000._app.1')).status).toBe(404)
    expect(await call(base, 'GET', '/v2/apps/nope/tasks')).toMatchObject({status: 404, body: {message: "App '/nope' does not exist"}})
    await sim.waitForDeployments()
  })
})

describe('bad input never crashes the simulator (§9)', () => {
  const bodies = ['null', '[]', '"app"', '42', '{"id": null}', '{"id": "/"}', '{"id": "/ok", "container": 5}', '{"id":"/ok","networks":[{"mode":"weird"}]}',
    '{"id":"/ok","portDefinitions":[{"port":70000}]}', '{"id":"/ok","healthChecks":"x"}', '{"id":"/ok","upgradeStrategy":{"maximumOverCapacity":-1}}', '{"id":"/ünïcode"}',
    '{"id":"/ok","container":{"portMappings":[{"containerPort":1}],"docker":{"image":"x","portMappings":[{"containerPort":2}]}}}', '{', '\u0000']
  it.each([
    ['POST', '/v2/apps'],
    ['PUT', '/v2/apps/fuzz'],
    ['PUT', '/v2/apps'],
    ['POST', '/v2/tasks/delete'],
  ])('%s %s answers 400 or 422 with a JSON message for every malformed body', async (method, path) => {
    // Valid there: PUT /v2/apps/{id} takes the id from the URL; `PUT /v2/apps []` is an empty update.
    const valid = new Set(['PUT /v2/apps/fuzz {"id": null}', 'PUT /v2/apps/fuzz {"id": "/"}', 'PUT /v2/apps/fuzz {"id":"/ünïcode"}', 'PUT /v2/apps []'])
    for (const body of bodies.filter((b) => !valid.has(`${method} ${path} ${b}`))) {
      const r = await call(base, method, path, body)
      expect([400, 422], `${method} ${path} ${body} → ${r.status} ${r.text}`).toContain(r.status)
      expect(typeof r.body.message).toBe('string')
    }
    expect((await call(base, 'GET', '/ping')).status).toBe(200)
  })
})

describe('Marathon version', () => {
  it('before 1.8, task ids are `<app>.<uuid>` and instance ids `<app>.marathon-<uuid>` (§1)', async () => {
    const old = await simulator({virtualTasks: true, version: '1.5.15', stagingMs: 5, startingMs: 5}, (fn) => cleanups.push(fn))
    expect((await call(old.url, 'GET', '/v2/info')).body.version).toBe('1.5.15')
    await call(old.url, 'POST', '/v2/apps', hostApp('grp/web', {healthChecks: [{protocol: 'TCP', gracePeriodSeconds: 0}]}))
    await until(() => old.tasks('/grp/web').some((t) => t.health[0]?.alive === true), 5000, 'healthy')
    const task = (await call(old.url, 'GET', '/v2/apps/grp/web')).body.app.tasks[0]
    const uuid = /^grp_web\.([0-9a-f-]{36})$/.exec(task.id)?.[1]
    expect(uuid).toBeDefined()
    expect(task.healthCheckResults[0].instanceId).toBe(`grp_web.marathon-${uuid}`)
  })
})
