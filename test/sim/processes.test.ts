/**
 * Real tasks (issue 3 "Tasks are real"): child processes on loopback ports from the configured
 * range, answering HTTP and TCP with their identity; SIGTERM grace and in-flight requests; crash
 * and hang faults; real health and readiness checks; a rolling upgrade; no process left behind.
 */
import {readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/simulator.js'
import {alive, call, childTaskPids, hostApp, simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
let sim: Simulator
const RANGE = {min: 31500, max: 31999}

beforeAll(async () => {
  sim = await simulator({taskPorts: RANGE, stagingMs: 20, startingMs: 20, timeScale: 0.2, killTimeoutMs: 300}, (fn) => cleanups.push(fn))
})
afterAll(async () => {
  const pids = sim.taskPids()
  for (const fn of cleanups) await fn()
  expect(pids.filter(alive)).toEqual([])
})

async function get(host: string, port: number, path = '/'): Promise<{status: number; body: Record<string, unknown>}> {
  const res = await fetch(`http://${host}:${port}${path}`)
  return {status: res.status, body: (await res.json()) as Record<string, unknown>}
}

function tcpLine(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({host, port}, () => sock.write('ping\n'))
    let buf = ''
    sock.setEncoding('utf8')
    sock.on('data', (c: string) => (buf += c))
    sock.on('end', () => resolve(buf))
    sock.on('error', reject)
    sock.setTimeout(3000, () => sock.destroy(new Error('tcp timeout')))
  })
}

async function deploy(path: string, method: string, body: unknown): Promise<{status: number; body: any}> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await call(sim.url, method, path, body)
  await sim.waitForDeployments(15_000)
  return r
}

describe('task processes', () => {
  it('HOST app: each port answers HTTP with app id, version, task id and port, and TCP with one JSON line', async () => {
    const created = await deploy('/v2/apps', 'POST', hostApp('web', {instances: 2, portDefinitions: [{port: 0}, {port: 0}]}))
    const tasks = (await call(sim.url, 'GET', '/v2/apps/web')).body.app.tasks
    expect(tasks).toHaveLength(2)
    expect(sim.taskPids()).toHaveLength(2)
    for (const t of tasks) {
      expect(t.host).toBe('127.0.0.1')
      for (const p of t.ports) expect(p >= RANGE.min && p <= RANGE.max).toBe(true)
      const r = await get(t.host, t.ports[0])
      expect(r).toMatchObject({status: 200, body: {appId: '/web', version: created.body.version, taskId: t.id, port: t.ports[0]}})
      expect(JSON.parse(await tcpLine(t.host, t.ports[1]))).toMatchObject({appId: '/web', taskId: t.id, port: t.ports[1]})
    }
  })

  it('BRIDGE app: host ports for portMappings; IP-per-task app: its own loopback IP and containerPort', async () => {
    const bridge = {id: 'bridge', instances: 1, networks: [{mode: 'container/bridge'}], container: {type: 'DOCKER', docker: {image: 'x'}, portMappings: [{containerPort: 80, hostPort: 0}]}}
    const ipt = {id: 'ipt', instances: 1, networks: [{mode: 'container', name: 'dcos'}], container: {type: 'DOCKER', docker: {image: 'x'}, portMappings: [{containerPort: 8080, name: 'http'}]}}
    await deploy('/v2/apps', 'POST', bridge)
    await deploy('/v2/apps', 'POST', ipt)
    const b = (await call(sim.url, 'GET', '/v2/apps/bridge')).body.app
    expect(b.container.portMappings[0]).toMatchObject({containerPort: 80, hostPort: 0})
    expect(b.tasks[0].ports).toHaveLength(1)
    expect((await get('127.0.0.1', b.tasks[0].ports[0])).body['appId']).toBe('/bridge')
    const i = (await call(sim.url, 'GET', '/v2/apps/ipt')).body.app
    expect(i.tasks[0].ports).toEqual([])
    const ip = i.tasks[0].ipAddresses[0].ipAddress as string
    expect(ip).toMatch(/^127\.(1[6-9]|2\d|3[01])\./)
    expect((await get(ip, 8080)).body).toMatchObject({appId: '/ipt', host: ip, port: 8080})
    await deploy('/v2/apps/ipt', 'DELETE', undefined)
  })

  it('kill: keeps serving for taskKillGracePeriodSeconds, then refuses new connections, finishes in-flight requests, exits → KILLED', async () => {
    // 2 s × timeScale 0.2 = 400 ms of grace.
    await deploy('/v2/apps', 'POST', hostApp('drain', {instances: 1, taskKillGracePeriodSeconds: 2}))
    const task = sim.tasks('/drain')[0]!
    const port = task.ports[0]!
    // Ends ~550 ms after the kill: after the listener closes (400 ms), before SIGKILL (400 + 300 ms).
    const slow = get(task.host, port, '/?sleep=600')
    await new Promise((r) => setTimeout(r, 50))
    const t0 = Date.now()
    sim.killTask(task.id)
    expect((await get(task.host, port)).status).toBe(200) // still accepting during the grace period
    await until(async () => {
      try {
        await fetch(`http://${task.host}:${port}/`)
        return false
      } catch {
        return true
      }
    }, 3000, 'listener closed')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
    expect(await slow).toMatchObject({status: 200, body: {taskId: task.id}})
    await until(() => sim.events(['status_update_event']).some((e) => e['taskId'] === task.id && e['taskStatus'] === 'TASK_KILLED'), 5000, 'KILLED')
    const states = sim.events(['status_update_event']).filter((e) => e['taskId'] === task.id).map((e) => e['taskStatus'])
    expect(states.slice(-2)).toEqual(['TASK_KILLING', 'TASK_KILLED'])
    await until(() => sim.tasks('/drain').some((t) => t.state === 'TASK_RUNNING'), 5000, 'replacement')
  })

  it('crash → TASK_FAILED, lastTaskFailure, relaunch as the next incarnation', async () => {
    const task = sim.tasks('/drain').find((t) => t.state === 'TASK_RUNNING')!
    expect(sim.controlTask(task.id, 'crash')).toBe(true)
    await until(() => sim.events(['status_update_event']).some((e) => e['taskId'] === task.id && e['taskStatus'] === 'TASK_FAILED'), 5000, 'FAILED')
    const failed = sim.events(['status_update_event']).find((e) => e['taskId'] === task.id && e['taskStatus'] === 'TASK_FAILED')
    expect(failed?.['message']).toBe('Command exited with status 70')
    const app = (await call(sim.url, 'GET', '/v2/apps/drain')).body.app
    expect(app.lastTaskFailure).toMatchObject({appId: '/drain', taskId: task.id, state: 'TASK_FAILED', message: 'Command exited with status 70', version: task.version})
    await until(() => sim.tasks('/drain').some((t) => t.state === 'TASK_RUNNING'), 5000, 'relaunch')
    expect(sim.tasks('/drain')[0]?.id).toBe(task.id.replace(/\._app\.\d+$/, '._app.2'))
  })

  it('HTTP health checks run for real: healthy, then a hung task fails them, is killed and replaced', async () => {
    const check = {protocol: 'HTTP', path: '/health', gracePeriodSeconds: 0, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 2}
    await deploy('/v2/apps', 'POST', hostApp('checked', {instances: 1, healthChecks: [check]}))
    const app = (await call(sim.url, 'GET', '/v2/apps/checked')).body.app
    expect(app.tasksHealthy).toBe(1)
    const task = app.tasks[0]
    expect(task.healthCheckResults).toMatchObject([{alive: true, consecutiveFailures: 0, lastFailure: null, instanceId: sim.tasks('/checked')[0]?.instanceId}])
    sim.controlTask(task.id, 'hang')
    await until(() => sim.events(['unhealthy_instance_kill_event']).some((e) => e['taskId'] === task.id), 8000, 'unhealthy kill')
    const kill = sim.events(['unhealthy_instance_kill_event']).find((e) => e['taskId'] === task.id)
    expect(String(kill?.['reason'])).toMatch(/timed out/)
    expect(sim.events(['failed_health_check_event']).filter((e) => e['appId'] === '/checked').length).toBeGreaterThanOrEqual(2)
    // A hung process ignores SIGTERM: it is SIGKILLed after grace + killTimeoutMs.
    await until(() => sim.events(['status_update_event']).some((e) => e['taskId'] === task.id && e['taskStatus'] === 'TASK_KILLED'), 5000, 'killed')
    await until(() => sim.tasks('/checked').some((t) => t.state === 'TASK_RUNNING' && t.health[0]?.alive === true), 8000, 'healthy replacement')
  })

  it('readiness checks hold the deployment until the task answers a ready status', async () => {
    const readiness = {name: 'ready', protocol: 'HTTP', path: '/?status=503', portName: 'http', intervalSeconds: 1, timeoutSeconds: 1, httpStatusCodesForReady: [200], preserveLastResponse: true}
    const r = await call(sim.url, 'POST', '/v2/apps', hostApp('ready', {instances: 1, portDefinitions: [{port: 0, name: 'http'}], readinessChecks: [readiness]}))
    await until(() => sim.tasks('/ready').some((t) => t.readiness[0]?.lastResponse !== undefined), 5000, 'readiness answer')
    const app = (await call(sim.url, 'GET', '/v2/apps/ready?embed=app.readiness')).body.app
    expect(app.deployments).toEqual([{id: r.headers.get('marathon-deployment-id')}])
    expect(app.readinessCheckResults).toMatchObject([{name: 'ready', ready: false, lastResponse: {status: 503, contentType: 'application/json'}}])
    // Fix the check: a config change restarts with a passing path.
    await deploy('/v2/apps/ready?force=true', 'PUT', {readinessChecks: [{...readiness, path: '/'}]})
    expect((await call(sim.url, 'GET', '/v2/apps/ready')).body.app.deployments).toEqual([])
  })

  it('rolling upgrade: requests are answered by the new version once the deployment is done', async () => {
    const up = await deploy('/v2/apps/web', 'PUT', {labels: {COLOUR: 'blue'}})
    const tasks = (await call(sim.url, 'GET', '/v2/apps/web')).body.app.tasks
    expect(tasks).toHaveLength(2)
    for (const t of tasks) expect((await get(t.host, t.ports[0])).body['version']).toBe(up.body.version)
  })

  it('a zdd-shaped blue/green swap: both versions serve, drained old tasks go with scale=true, the old app is deleted', async () => {
    const blue = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'sim', 'nginx-bluegreen.json'), 'utf8')) as Record<string, unknown>
    const labels = blue['labels'] as Record<string, string>
    await deploy('/v2/apps', 'POST', {...blue, id: '/nginx-blue', instances: 2, labels: {...labels, HAPROXY_DEPLOYMENT_COLOUR: 'blue'}})
    sim.log.clear()
    const container = blue['container'] as {portMappings: Record<string, number>[]}
    const altPort = {...container, portMappings: [{...container.portMappings[0], servicePort: 10001}]}
    await deploy('/v2/apps', 'POST', {...blue, id: '/nginx-green', instances: 1, container: altPort, labels: {...labels, HAPROXY_DEPLOYMENT_COLOUR: 'green'}})
    const old = (await call(sim.url, 'GET', '/v2/apps/nginx-blue')).body.app
    const fresh = (await call(sim.url, 'GET', '/v2/apps/nginx-green')).body.app
    expect(fresh.deployments).toEqual([])
    expect(fresh.tasksHealthy).toBe(1)
    const versions = new Set<string>()
    for (const t of [...old.tasks, ...fresh.tasks]) versions.add(String((await get(t.host, t.ports[0])).body['appId']))
    expect(versions).toEqual(new Set(['/nginx-blue', '/nginx-green']))
    await deploy('/v2/tasks/delete?scale=true', 'POST', {ids: [old.tasks[0].id]})
    expect((await call(sim.url, 'GET', '/v2/apps/nginx-blue')).body.app.instances).toBe(1)
    await deploy('/v2/apps/nginx-green', 'PUT', {instances: 2})
    await deploy('/v2/apps/nginx-blue', 'DELETE', undefined)
    expect(sim.calls().filter((c) => c.method !== 'GET').map((c) => [c.method, c.path, c.query, c.status])).toEqual([
      ['POST', '/v2/apps', '', 201],
      ['POST', '/v2/tasks/delete', 'scale=true', 200],
      ['PUT', '/v2/apps/nginx-green', '', 200],
      ['DELETE', '/v2/apps/nginx-blue', '', 200],
    ])
    expect(sim.tasks('/nginx-blue')).toEqual([])
    expect(sim.tasks('/nginx-green').filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(2)
  })

  it('stop() ends every task process', async () => {
    const own = await simulator({taskPorts: RANGE, stagingMs: 10, startingMs: 10}, () => {})
    await call(own.url, 'POST', '/v2/apps', hostApp('gone', {instances: 3}))
    await own.waitForDeployments(10_000)
    const pids = own.taskPids()
    expect(pids).toHaveLength(3)
    expect(pids.every(alive)).toBe(true)
    await own.stop()
    expect(pids.filter(alive)).toEqual([])
  })

  it('stop() while tasks are still staging: no process is started afterwards', async () => {
    const own = await simulator({taskPorts: RANGE, stagingMs: 150, startingMs: 10}, () => {})
    await call(own.url, 'POST', '/v2/apps', hostApp('early', {instances: 3}))
    await until(() => own.tasks('/early').length === 3, 2000, 'staging tasks')
    const before = new Set(childTaskPids())
    await own.stop()
    await new Promise((r) => setTimeout(r, 300)) // past the staging timers
    expect(childTaskPids().filter((p) => !before.has(p) && !sim.taskPids().includes(p))).toEqual([])
  })
})
