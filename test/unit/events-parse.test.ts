import {describe, expect, it} from 'vitest'

import {Backoff, backoffWithMax} from '../../src/marathon/event-backoff.js'
import {findLeaderUrl} from '../../src/marathon/event-fetch.js'
import {eventsPath, isRoutingEvent, parseEventData, type MarathonEvent} from '../../src/marathon/event-types.js'

describe('eventsPath', () => {
  it('asks exactly what marathon-lb asks (behaviour §6.2 step 2)', () => {
    expect(eventsPath()).toBe('/v2/events?plan-format=light&event_type=api_post_event&event_type=health_status_changed_event&event_type=status_update_event')
  })
})

describe('parseEventData', () => {
  const cases: Array<{desc: string; data: string; name?: string; events: MarathonEvent[]; errors: number}> = [
    {
      desc: 'status update (marathon-api §7.3 payload)',
      data: '{"slaveId":"S1","taskId":"test-app.5dd7","taskStatus":"TASK_KILLING","message":"","appId":"/test-app","host":"srv4","ipAddresses":[],"ports":[31182],"version":"v","eventType":"status_update_event","timestamp":"2015-09-11T22:11:03.156Z"}',
      events: [{eventType: 'status_update_event', appId: '/test-app', taskId: 'test-app.5dd7', taskStatus: 'TASK_KILLING', timestamp: '2015-09-11T22:11:03.156Z'}],
      errors: 0,
    },
    {
      desc: 'api_post_event takes the app id from appDefinition',
      data: '{"clientIp":"10.0.0.5","uri":"/v2/apps/my-app","appDefinition":{"id":"/my-app","instances":2},"eventType":"api_post_event","timestamp":"t"}',
      events: [{eventType: 'api_post_event', appId: '/my-app', timestamp: 't'}],
      errors: 0,
    },
    {
      desc: '≤1.3 health event with taskId',
      data: '{"appId":"/a","taskId":"a.1","alive":true,"eventType":"health_status_changed_event","timestamp":"t"}',
      events: [{eventType: 'health_status_changed_event', appId: '/a', taskId: 'a.1', alive: true, timestamp: 't'}],
      errors: 0,
    },
    {desc: 'eventType missing: the SSE event name is used', data: '{"appId":"/a"}', name: 'status_update_event', events: [{eventType: 'status_update_event', appId: '/a'}], errors: 0},
    {desc: 'eventType missing and no name', data: '{"appId":"/a"}', name: 'message', events: [], errors: 1},
    {desc: 'garbage', data: '{"appId":', events: [], errors: 1},
    {desc: 'a JSON array is not an event', data: '[1,2]', events: [], errors: 1},
    {desc: 'null is not an event', data: 'null', events: [], errors: 1},
    {desc: 'blank data is skipped silently', data: '  ', events: [], errors: 0},
    {desc: 'wrong field types are dropped, not trusted', data: '{"eventType":"status_update_event","appId":5,"taskStatus":null,"alive":"yes"}', events: [{eventType: 'status_update_event'}], errors: 0},
    {
      desc: 'several lines of data are parsed one by one, as marathon-lb does',
      data: '{"eventType":"api_post_event","appId":"/x"}\r\nbad\n{"eventType":"status_update_event","appId":"/y","taskStatus":"TASK_RUNNING"}',
      events: [{eventType: 'api_post_event', appId: '/x'}, {eventType: 'status_update_event', appId: '/y', taskStatus: 'TASK_RUNNING'}],
      errors: 1,
    },
  ]
  for (const c of cases) {
    it(c.desc, () => {
      const out = parseEventData(c.data, c.name)
      expect(out.events).toEqual(c.events)
      expect(out.errors).toHaveLength(c.errors)
    })
  }
})

describe('isRoutingEvent', () => {
  const cases: Array<[MarathonEvent, boolean]> = [
    [{eventType: 'api_post_event'}, true],
    [{eventType: 'health_status_changed_event', alive: false}, true],
    [{eventType: 'status_update_event', taskStatus: 'TASK_RUNNING'}, true],
    [{eventType: 'status_update_event', taskStatus: 'TASK_KILLING'}, true],
    [{eventType: 'status_update_event', taskStatus: 'TASK_KILLED'}, true],
    [{eventType: 'status_update_event', taskStatus: 'TASK_SOMETHING_NEW'}, true],
    [{eventType: 'status_update_event'}, true],
    [{eventType: 'status_update_event', taskStatus: 'TASK_STAGING'}, false],
    [{eventType: 'status_update_event', taskStatus: 'TASK_STARTING'}, false],
    [{eventType: 'deployment_info'}, false],
    [{eventType: 'event_stream_attached'}, false],
  ]
  for (const [event, expected] of cases) {
    it(`${event.eventType} ${event.taskStatus ?? ''} → ${expected}`, () => expect(isRoutingEvent(event)).toBe(expected))
  }
})

describe('Backoff', () => {
  it('grows by the factor up to the cap, with jitter in [window/2, window]', () => {
    const b = new Backoff({initialMs: 3_000, factor: 1.5, maxMs: 10_000, stableMs: 600_000})
    const low = [0, 0, 0, 0, 0].map(() => b.next(0, () => 0))
    expect(low).toEqual([1_500, 2_250, 3_375, 5_000, 5_000])
    expect(b.next(0, () => 1)).toBe(10_000)
    expect(b.next(0, () => 0.5)).toBe(7_500)
  })

  it('never drops below 50 ms, even with --max-backoff 0', () => {
    const b = new Backoff(backoffWithMax(0))
    expect([0, 0, 0].map(() => b.next(0, () => 0))).toEqual([50, 50, 50])
    expect(backoffWithMax(300)).toMatchObject({maxMs: 300_000, initialMs: 1_000, factor: 1.5, stableMs: 600_000})
  })

  it('resets after a stream that stayed open for the stable period', () => {
    const b = new Backoff({initialMs: 1_000, factor: 2, maxMs: 60_000, stableMs: 600_000})
    for (let i = 0; i < 4; i++) b.next(0, () => 0)
    expect(b.attempts).toBe(4)
    expect(b.next(599_999, () => 0)).toBe(8_000)
    expect(b.next(600_000, () => 0)).toBe(500)
    expect(b.attempts).toBe(1)
  })
})

describe('helpers', () => {
  it('finds the configured URL a /v2/leader answer names', () => {
    const urls = ['http://m1:8080', 'https://m2', 'http://m3/marathon']
    expect(findLeaderUrl(urls, 'm1:8080')).toBe(0)
    expect(findLeaderUrl(urls, 'm2:443')).toBe(1)
    expect(findLeaderUrl(urls, 'm3:80')).toBe(2)
    expect(findLeaderUrl(urls, 'elsewhere:8080')).toBe(-1)
  })

})
