/**
 * Fault injection (issue 3 "Auth and faults"): 5xx and timeouts for N requests, latency, dropped
 * and stalled event streams, leadership loss with a standby sharing the state, the admin
 * endpoint and the call log; plus HTTP basic and DC/OS token auth (marathon-api §8).
 */
import {connect} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/simulator.js'
import {call, hostApp, openStream, simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
let sim: Simulator

beforeAll(async () => {
  sim = await simulator({virtualTasks: true, stagingMs: 10, startingMs: 10, heartbeatMs: 100, reelectMs: 200}, (fn) => cleanups.push(fn))
})
afterAll(async () => {
  for (const fn of [...cleanups].reverse()) await fn()
})

describe('request faults', () => {
  it('answers 5xx for the next N requests, then recovers', async () => {
    sim.faults.failNext(2, 503)
    expect(await call(sim.url, 'GET', '/v2/apps')).toMatchObject({status: 503, body: {message: 'Simulated failure (HTTP 503)'}})
    expect((await call(sim.url, 'GET', '/v2/apps')).status).toBe(503)
    expect((await call(sim.url, 'GET', '/v2/apps')).status).toBe(200)
  })

  it('never answers the next N requests (the client times out), then recovers', async () => {
    sim.faults.timeoutNext(1)
    await expect(fetch(`${sim.url}/v2/apps`, {signal: AbortSignal.timeout(300)})).rejects.toThrow()
    expect((await call(sim.url, 'GET', '/v2/apps')).status).toBe(200)
    expect(sim.calls({path: '/v2/apps'}).map((c) => c.status).slice(-2)).toEqual([0, 200])
  })

  it('adds latency to every request', async () => {
    sim.faults.latencyMs = 200
    const t0 = Date.now()
    await call(sim.url, 'GET', '/v2/info')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190)
    sim.faults.latencyMs = 0
  })

  it('the admin endpoint drives the same faults and kills tasks', async () => {
    expect(await call(sim.url, 'POST', '/_sim/faults', {errors: 1, status: 500})).toMatchObject({status: 200, body: {errors: 1, errorStatus: 500}})
    expect((await call(sim.url, 'GET', '/v2/apps')).status).toBe(500)
    await call(sim.url, 'POST', '/v2/apps', hostApp('admin-kill'))
    await sim.waitForDeployments()
    const task = sim.tasks('/admin-kill')[0]!
    expect(await call(sim.url, 'POST', `/_sim/tasks/${task.id}/kill`)).toMatchObject({status: 200, body: {taskId: task.id, action: 'kill'}})
    await until(() => sim.events(['status_update_event']).some((e) => e['taskId'] === task.id && e['taskStatus'] === 'TASK_KILLED'), 3000, 'killed')
    expect((await call(sim.url, 'POST', '/_sim/tasks/nope/kill')).status).toBe(404)
    expect((await call(sim.url, 'GET', '/_sim/state')).body).toMatchObject({leader: true, apps: 1})
  })

  it('records every call with method, path, query, body and status', async () => {
    sim.log.clear()
    await call(sim.url, 'PUT', '/v2/apps/admin-kill?force=true', {instances: 2})
    await sim.waitForDeployments()
    await call(sim.url, 'POST', '/v2/tasks/delete?scale=true', {ids: [sim.tasks('/admin-kill')[0]!.id]})
    const calls = (await call(sim.url, 'GET', '/_sim/calls')).body
    expect(calls.map((c: {method: string; path: string; query: string; status: number}) => [c.method, c.path, c.query, c.status])).toEqual([
      ['PUT', '/v2/apps/admin-kill', 'force=true', 200],
      ['POST', '/v2/tasks/delete', 'scale=true', 200],
    ])
    expect(calls[0].body).toEqual({instances: 2})
    await call(sim.url, 'DELETE', '/v2/apps/admin-kill')
    await sim.waitForDeployments()
  })
})

describe('event stream faults', () => {
  it('drop: open streams end; a new connection works', async () => {
    const s = await openStream(sim.url)
    await until(() => s.events().length > 0, 2000, 'attached')
    sim.dropEventStreams()
    await s.ended
    const again = await openStream(sim.url)
    expect(again.status).toBe(200)
    again.close()
  })

  it('stall: no bytes at all (no heartbeat, no event) until resumed, then the held events', async () => {
    const s = await openStream(sim.url)
    await until(() => s.raw().includes('\r\n\r\n\r\n'), 2000, 'a heartbeat')
    sim.stallEventStreams()
    const before = s.raw().length
    await call(sim.url, 'POST', '/v2/apps', hostApp('stalled', {instances: 0}))
    await new Promise((r) => setTimeout(r, 350))
    expect(s.raw().length).toBe(before)
    sim.resumeEventStreams()
    await until(() => s.events().some((e) => e.eventType === 'api_post_event'), 2000, 'held events')
    s.close()
  })
})

describe('slow consumer', () => {
  it('a client that stops reading is disconnected once maxOutstandingEvents are queued (§7.2)', async () => {
    const s = await simulator({virtualTasks: true, maxOutstandingEvents: 20}, (fn) => cleanups.push(fn))
    const sock = connect(Number(s.address.split(':')[1]), '127.0.0.1')
    sock.write('GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
    sock.pause()
    await until(() => s.streams.count === 1, 2000, 'stream open')
    const big = 'x'.repeat(64 * 1024)
    for (let i = 0; i < 2000 && s.streams.count === 1; i++) {
      s.engine.bus.publish('api_post_event', {clientIp: '127.0.0.1', uri: '/v2/apps', appDefinition: {id: '/big', padding: big}})
      if (i % 50 === 0) await new Promise((r) => setImmediate(r))
    }
    await until(() => s.streams.count === 0, 5000, 'slow consumer cut')
    expect(s.events(['event_stream_detached'])).toHaveLength(1)
    sock.destroy()
  })
})

describe('leadership', () => {
  let standby: Simulator
  beforeAll(async () => {
    standby = await sim.startStandby()
    cleanups.push(() => standby.stop())
  })

  it('a standby proxies REST calls to the leader and redirects /v2/events (302)', async () => {
    const created = await call(standby.url, 'POST', '/v2/apps', hostApp('via-standby', {instances: 0}))
    expect(created.status).toBe(201)
    expect(created.headers.get('x-marathon-leader')).toBe(`http://${sim.address}`)
    expect((await call(sim.url, 'GET', '/v2/apps/via-standby')).status).toBe(200)
    expect((await call(standby.url, 'GET', '/v2/leader')).body).toEqual({leader: sim.address})
    const s = await openStream(standby.url, '?event_type=status_update_event')
    s.close()
    expect(s.status).toBe(302)
    expect(s.headers['location']).toBe(`http://${sim.address}/v2/events?event_type=status_update_event`)
  })

  it('losing leadership closes the old leader\'s streams and moves /v2/leader and the proxy', async () => {
    const s = await openStream(sim.url)
    sim.loseLeadership(standby)
    await s.ended
    expect(standby.isLeader).toBe(true)
    const viaOld = await call(sim.url, 'GET', '/v2/apps')
    expect(viaOld.status).toBe(200)
    expect(viaOld.headers.get('x-marathon-leader')).toBe(`http://${standby.address}`)
    expect((await call(sim.url, 'GET', '/v2/leader')).body).toEqual({leader: standby.address})
    sim.takeLeadership()
  })

  it('without a leader a standby answers 502 and /v2/leader 404', async () => {
    sim.loseLeadership()
    expect(await call(standby.url, 'GET', '/v2/apps')).toMatchObject({status: 502, body: {message: 'Could not determine the current leader'}})
    expect(await call(standby.url, 'GET', '/v2/leader')).toMatchObject({status: 404, body: {message: 'There is no leader'}})
    sim.takeLeadership()
  })

  it('DELETE /v2/leader abdicates to the standby', async () => {
    expect(await call(sim.url, 'DELETE', '/v2/leader')).toMatchObject({status: 200, body: {message: 'Leadership abdicated'}})
    expect(standby.isLeader).toBe(true)
    sim.takeLeadership()
  })
})

describe('auth (§8)', () => {
  it('basic auth protects every path with Jetty\'s 401', async () => {
    const s = await simulator({virtualTasks: true, auth: {basic: {user: 'mlb', password: 's3cret'}}}, (fn) => cleanups.push(fn))
    for (const path of ['/ping', '/v2/apps', '/v2/events']) {
      const r = await call(s.url, 'GET', path)
      expect(r.status).toBe(401)
      expect(r.headers.get('www-authenticate')).toBe('basic realm="Mesosphere"')
      expect(r.text).toContain('HTTP ERROR 401')
    }
    const bad = {authorization: `Basic ${Buffer.from('mlb:wrong').toString('base64')}`}
    expect((await call(s.url, 'GET', '/v2/apps', undefined, bad)).status).toBe(401)
    const good = {authorization: `Basic ${Buffer.from('mlb:s3cret').toString('base64')}`}
    expect(await call(s.url, 'GET', '/v2/apps', undefined, good)).toMatchObject({status: 200, body: {apps: []}})
    const stream = await openStream(s.url, '', 'text/event-stream', good)
    stream.close()
    expect(stream.status).toBe(200)
  })

  it('DC/OS login sets dcos-acs-auth-cookie; `Authorization: token=` is accepted; 401 and 403 JSON bodies', async () => {
    const s = await simulator({virtualTasks: true, auth: {dcos: {uids: ['marathon-lb'], forbiddenUids: ['intruder']}}}, (fn) => cleanups.push(fn))
    expect(await call(s.url, 'GET', '/v2/apps')).toMatchObject({status: 401, body: {message: 'Invalid username or password.'}})
    const login = await fetch(`${s.url}/acs/api/v1/auth/login`, {method: 'POST', body: JSON.stringify({uid: 'marathon-lb', token: 'login-jwt', exp: 0})})
    expect(login.status).toBe(200)
    const {token} = (await login.json()) as {token: string}
    expect(login.headers.get('set-cookie')).toBe(`dcos-acs-auth-cookie=${token}; Path=/; HttpOnly`)
    expect((await call(s.url, 'GET', '/v2/apps', undefined, {authorization: `token=${token}`})).status).toBe(200)
    expect((await call(s.url, 'GET', '/v2/apps', undefined, {authorization: `Bearer ${token}`})).status).toBe(401)
    expect((await call(s.url, 'POST', '/acs/api/v1/auth/login', {uid: 'nobody', token: 'x'})).status).toBe(401)
    const other = (await call(s.url, 'POST', '/acs/api/v1/auth/login', {uid: 'intruder', token: 'x'})).body.token
    expect(await call(s.url, 'GET', '/v2/apps', undefined, {authorization: `token=${other}`})).toMatchObject({status: 403, body: {message: 'Not Authorized to perform this action!'}})
  })
})

describe('a hung host', () => {
  it('timeouts -1 hangs every request (REST and events) until the faults are cleared', async () => {
    expect((await call(sim.url, 'POST', '/_sim/faults', {timeouts: -1})).body).toMatchObject({timeouts: -1})
    await expect(fetch(`${sim.url}/v2/apps`, {signal: AbortSignal.timeout(200)})).rejects.toThrow()
    await expect(fetch(`${sim.url}/v2/events`, {headers: {accept: 'text/event-stream'}, signal: AbortSignal.timeout(200)})).rejects.toThrow()
    expect((await call(sim.url, 'DELETE', '/_sim/faults')).body).toMatchObject({timeouts: 0, errors: 0})
    expect((await call(sim.url, 'GET', '/v2/apps')).status).toBe(200)
  })
})
