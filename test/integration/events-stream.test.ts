import {afterEach, describe, expect, it} from 'vitest'

import {systemClock} from '../../src/clock.js'
import {MemoryLogger} from '../../src/log.js'
import {EventStream, type EventStreamOptions} from '../../src/marathon/events.js'
import type {MarathonEvent} from '../../src/marathon/event-types.js'
import {startSseServer, waitFor, type SseServer} from '../sse-server.js'

const SECRET = 'Basic bWxiOnMzY3JldC1wYXNz' // mlb:s3cret-pass
const cleanup: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function server(opts: Parameters<typeof startSseServer>[0] = {}): Promise<SseServer> {
  const s = await startSseServer(opts)
  cleanup.push(() => s.close())
  return s
}

interface Recorder {
  readonly stream: EventStream
  readonly events: MarathonEvent[]
  readonly connects: Array<{url: string; at: number}>
  readonly disconnects: Array<{reason: string; delayMs: number}>
  readonly logger: MemoryLogger
}

/** A stream with small timings so every recovery fits well inside the 5 s budget. */
function watch(urls: string[], extra: Partial<EventStreamOptions> = {}): Recorder {
  const logger = new MemoryLogger()
  const events: MarathonEvent[] = []
  const connects: Recorder['connects'] = []
  const disconnects: Recorder['disconnects'] = []
  const stream = new EventStream(
    {
      urls, clock: systemClock, logger, authorization: async () => SECRET, connectTimeoutMs: 400, stallTimeoutMs: 400,
      backoff: {initialMs: 100, factor: 2, maxMs: 1_000, stableMs: 60_000}, random: () => 0, ...extra,
    },
    {
      onEvent: (e) => events.push(e),
      onConnect: (url) => connects.push({url, at: Date.now()}),
      onDisconnect: (_url, reason, delayMs) => disconnects.push({reason, delayMs}),
    },
  )
  stream.start()
  cleanup.push(() => stream.stop())
  return {stream, events, connects, disconnects, logger}
}

function neverLogsSecret(logger: MemoryLogger): void {
  const text = JSON.stringify(logger.records)
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('s3cret-pass')
}

describe('EventStream against a Marathon-like event bus', () => {
  it('asks like marathon-lb, sends Accept and Authorization, and delivers typed events', async () => {
    const s = await server({heartbeatMs: 50})
    const r = watch([s.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'connect')
    const req = s.eventRequests()[0]!
    expect(req.query.get('plan-format')).toBe('light')
    expect(req.query.getAll('event_type')).toEqual(['api_post_event', 'health_status_changed_event', 'status_update_event'])
    expect(req.headers.accept).toBe('text/event-stream')
    expect(req.headers.authorization).toBe(SECRET)
    expect(req.headers['cache-control']).toBe('no-cache')

    s.sendRaw('event: status_update_event\r\ndata: {not json\r\n\r\n')
    s.send({eventType: 'deployment_info', plan: {}}) // filtered by the server, as Marathon does
    s.send({slaveId: 'S1', taskId: 'web.1', taskStatus: 'TASK_RUNNING', appId: '/web', host: 'h', ports: [31000], eventType: 'status_update_event', timestamp: '2017-07-19T17:34:41.967Z'})
    s.send({appId: '/web', instanceId: 'web.marathon-1', alive: false, eventType: 'health_status_changed_event', timestamp: 't'})
    await waitFor(() => r.events.length === 2, 5_000, 'two events')
    expect(r.events[0]).toEqual({eventType: 'status_update_event', appId: '/web', taskId: 'web.1', taskStatus: 'TASK_RUNNING', timestamp: '2017-07-19T17:34:41.967Z'})
    expect(r.events[1]).toMatchObject({eventType: 'health_status_changed_event', instanceId: 'web.marathon-1', alive: false})
    expect(r.logger.messages('warn')).toContain('ignoring malformed event')
    expect(r.stream.status()).toMatchObject({connected: true, url: `${s.url}/v2/events?plan-format=light&event_type=api_post_event&event_type=health_status_changed_event&event_type=status_update_event`})
    neverLogsSecret(r.logger)
  })

  it('reconnects with back-off after a dropped connection and signals a resync each time', async () => {
    const s = await server({heartbeatMs: 50})
    const r = watch([s.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'first connect')
    for (let i = 2; i <= 3; i++) {
      const dropped = Date.now()
      s.dropAll()
      await waitFor(() => r.connects.length === i, 5_000, `connect #${i}`)
      expect(r.connects[i - 1]!.at - dropped).toBeLessThan(5_000)
    }
    // Windows 100 then 200 ms with the jitter pinned low: 50 then 100 ms.
    expect(r.disconnects.map((d) => d.delayMs)).toEqual([50, 100])
    expect(r.stream.status().reconnects).toBe(2)
  })

  it.each([503, 401])('keeps retrying with growing delays after HTTP %i (eventsource alone would give up)', async (status) => {
    const s = await server({heartbeatMs: 50})
    s.setMode({kind: 'status', status})
    const r = watch([s.url])
    await waitFor(() => s.eventRequests().length >= 4, 5_000, 'four refused attempts')
    s.setMode({kind: 'ok'})
    await waitFor(() => r.connects.length === 1, 5_000, 'connect after refusals')
    const delays = r.disconnects.map((d) => d.delayMs)
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 400])
    expect(r.disconnects[0]!.reason).toBe(`HTTP ${status}`)
    expect(r.logger.records.some((x) => x.msg === 'event stream refused' && x.fields['status'] === status)).toBe(true)
  })

  it('abandons a stalled stream (no byte, no heartbeat) and reconnects at once', async () => {
    const s = await server({heartbeatMs: 0})
    s.setMode({kind: 'stall'})
    const r = watch([s.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'connect')
    s.setMode({kind: 'ok'})
    const t0 = Date.now()
    await waitFor(() => r.connects.length === 2, 5_000, 'reconnect after stall')
    expect(Date.now() - t0).toBeLessThan(2_000)
    expect(r.disconnects[0]).toMatchObject({delayMs: 0})
    expect(r.disconnects[0]!.reason).toMatch(/^stalled/)
    expect(r.stream.status().stalls).toBe(1)
  })

  it('treats heartbeats as life: a quiet stream with heartbeats is kept', async () => {
    const s = await server({heartbeatMs: 100})
    const r = watch([s.url], {stallTimeoutMs: 500})
    await waitFor(() => r.connects.length === 1, 5_000, 'connect')
    const before = r.stream.status().lastActivityAt!
    await waitFor(() => r.stream.status().lastActivityAt! > before + 700, 5_000, 'heartbeats over more than the stall bound')
    expect(r.connects).toHaveLength(1)
    expect(r.stream.status().stalls).toBe(0)
  })

  it('moves on to the second host when the first one hangs', async () => {
    const hung = await server()
    const good = await server({heartbeatMs: 50})
    hung.setMode({kind: 'hang'})
    good.setLeader(good.hostPort)
    const t0 = Date.now()
    const r = watch([hung.url, good.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'connect to the good host')
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(r.connects[0]!.url.startsWith(good.url)).toBe(true)
    expect(r.logger.messages('warn')).toContain('Marathon host did not answer, skipping it')
  })

  it('abandons a host that accepts the stream request but never answers', async () => {
    const a = await server()
    const b = await server({heartbeatMs: 50})
    a.setMode({kind: 'hang'})
    const r = watch([a.url, b.url], {followLeader: false})
    await waitFor(() => r.connects.length === 1, 5_000, 'connect to the second host')
    expect(r.disconnects[0]!.reason).toBe('no answer within 400 ms')
    expect(r.connects[0]!.url.startsWith(b.url)).toBe(true)
  })

  it('follows the leader named by /v2/leader', async () => {
    const follower = await server({heartbeatMs: 50})
    const leader = await server({heartbeatMs: 50})
    follower.setLeader(leader.hostPort)
    const r = watch([follower.url, leader.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'connect')
    expect(follower.eventRequests()).toHaveLength(0)
    expect(leader.eventRequests()).toHaveLength(1)
    expect(r.logger.messages('info')).toContain('following the Marathon leader')
  })

  it('follows one 302 from a non-leader and keeps the Authorization header', async () => {
    const leader = await server({heartbeatMs: 50})
    const follower = await server()
    follower.setMode({kind: 'redirect', location: `${leader.url}/v2/events`})
    const r = watch([follower.url])
    await waitFor(() => r.connects.length === 1, 5_000, 'connect through the redirect')
    expect(leader.eventRequests()[0]!.headers.authorization).toBe(SECRET)
    expect(leader.eventRequests()[0]!.query.getAll('event_type')).toHaveLength(3)
    expect(r.connects[0]!.url.startsWith(leader.url)).toBe(true)
    leader.send({appId: '/a', eventType: 'api_post_event', appDefinition: {id: '/a'}})
    await waitFor(() => r.events.length === 1, 5_000, 'event through the redirect')
    neverLogsSecret(r.logger)
  })

  it('sends basic credentials taken from the URL without logging them', async () => {
    const s = await server({heartbeatMs: 50, authorization: 'Basic ' + Buffer.from('u:pw-secret').toString('base64')})
    const r = watch([s.url.replace('http://', 'http://u:pw-secret@')], {authorization: async () => undefined})
    await waitFor(() => r.connects.length === 1, 5_000, 'connect with URL credentials')
    expect(JSON.stringify(r.logger.records)).not.toContain('pw-secret')
    expect(r.connects[0]!.url).not.toContain('pw-secret')
  })

  it('survives handlers that throw: logged, and the stream goes on', async () => {
    const s = await server({heartbeatMs: 50})
    const logger = new MemoryLogger()
    const seen: string[] = []
    const stream = new EventStream({urls: [s.url], clock: systemClock, logger}, {
      onConnect: () => {
        throw new Error('connect handler bug')
      },
      onEvent: (e) => {
        seen.push(e.appId ?? '')
        throw new Error('event handler bug')
      },
    })
    stream.start()
    cleanup.push(() => stream.stop())
    await waitFor(() => stream.status().connected, 5_000, 'connect')
    s.send({appId: '/a', eventType: 'api_post_event'})
    s.send({appId: '/b', eventType: 'api_post_event'})
    await waitFor(() => seen.length === 2, 5_000, 'both events')
    expect(logger.messages('error')).toEqual(['event stream onConnect handler failed', 'event stream onEvent handler failed', 'event stream onEvent handler failed'])
    expect(stream.status()).toMatchObject({connected: true, reconnects: 0})
  })
})
