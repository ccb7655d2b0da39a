import {describe, expect, it} from 'vitest'
import {drainCount} from '../../src/model/deployment-group.js'
import {alive, app, generate, healthCheck, id, instances, labels, marathon, portDefs, ports, section, task, taskId, tasks} from '../builders.js'

function colour(appId: string, l: Record<string, string>, n: number, ...t: ReturnType<typeof task>[]): ReturnType<typeof app> {
  return app(id(appId), portDefs(10000), instances(n), healthCheck(), labels({HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_0_PORT: '10000', ...l}), tasks(...t))
}

const green = (started: string, extra: Record<string, string> = {}): ReturnType<typeof app> => colour('/web-green', {HAPROXY_DEPLOYMENT_STARTED_AT: started, ...extra}, 2,
  task(taskId('web-green.b'), ports(31001), alive(true)), task(taskId('web-green.a'), ports(31000), alive(true)))
const blue = (started: string, extra: Record<string, string> = {}): ReturnType<typeof app> => colour('/web-blue', {HAPROXY_DEPLOYMENT_STARTED_AT: started, ...extra}, 1,
  task(taskId('web-blue.a'), ports(32000), alive(true)))

describe('drain count (spec §5.15)', () => {
  const cases: [string, [number, number, number, number], number][] = [
    ['zdd vector: 3 old, 1 healthy new, target 1', [3, 1, 3, 1], 1],
    ['no healthy new task drains nothing', [3, 0, 3, 1], 0],
    ['target reached by old alone', [2, 2, 2, 4], 0],
    ['bounded by old tasks', [1, 5, 1, 1], 1],
  ]
  for (const [desc, [oldTasks, healthyNew, oldInstances, target], expected] of cases) {
    it(desc, () => expect(drainCount(oldTasks, healthyNew, oldInstances, target)).toBe(expected))
  }
})

describe('blue/green merge', () => {
  it('merges both colours into /web and drains the old task with the smallest id', () => {
    const out = generate(marathon(green('2016-02-01T14:13:42.499089'), blue('2016-02-01T14:57:54.371005')))
    const servers = section(out.config, 'backend web_10000').filter((l) => l.startsWith('  server'))
    expect(servers.map((l) => l.split(' ')[3])).toEqual(['10_0_0_1_31000', '10_0_0_1_31001', '10_0_0_1_32000'])
    expect(servers[0]).toMatch(/ disabled$/)
    expect(servers.filter((l) => l.endsWith(' disabled'))).toHaveLength(1)
    expect(out.renderedAppIds).toEqual(['/web'])
  })

  it('compares a zone-less with a zone-aware timestamp instead of crashing (quirk §10.3)', () => {
    const out = generate(marathon(green('2016-02-01T14:13:42'), blue('2016-02-01T15:00:00+00:00')))
    expect(out.skipped).toEqual([])
    expect(section(out.config, 'backend web_10000').find((l) => l.startsWith('  server'))).toMatch(/31000 id \d+ check inter 2s fall 11 disabled$/)
  })

  it('leaves out a colour with an unparsable STARTED_AT, keeping the other', () => {
    const out = generate(marathon(green('2016-02-01T14:13:42'), blue('yesterday')))
    expect(out.skipped).toEqual([{appId: '/web-blue', label: 'HAPROXY_DEPLOYMENT_STARTED_AT', reason: expect.stringContaining('yesterday') as unknown as string}])
    expect(section(out.config, 'backend web_10000').filter((l) => l.startsWith('  server'))).toHaveLength(2)
  })

  it('leaves out the newer colour when NEW_INSTANCES lacks an integer TARGET_INSTANCES', () => {
    const out = generate(marathon(green('2016-02-01T14:13:42'), blue('2016-02-01T15:00:00', {HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0'})))
    expect(out.skipped).toMatchObject([{appId: '/web', label: 'HAPROXY_DEPLOYMENT_TARGET_INSTANCES'}])
    expect(out.config).toContain('\nbackend web_10000\n')
  })

  it('leaves out an app with an empty deployment group', () => {
    const out = generate(marathon(colour('/x', {HAPROXY_DEPLOYMENT_GROUP: ''}, 1, task(ports(31000)))))
    expect(out.skipped).toMatchObject([{appId: '/x', label: 'HAPROXY_DEPLOYMENT_GROUP'}])
  })

  it('does not mutate its input: generating twice gives the same bytes (quirk §10.22)', () => {
    const state = marathon(green('2016-02-01T14:13:42'), blue('2016-02-01T15:00:00'))
    expect(generate(state).config).toBe(generate(state).config)
  })
})
