import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {parseHaproxyStats} from '../../src/haproxy/stats.js'
import {toZddApp} from '../../src/zdd/app.js'
import {findDrainedTaskIds, findDrainingTaskIds, groupBackendName, selectListeners} from '../../src/zdd/drain.js'
import {stripNulls} from '../../src/zdd/json.js'
import {createServerNaming} from '../../src/zdd/naming.js'
import type {Listener, ZddApp} from '../../src/zdd/state.js'

const csv = readFileSync(new URL('../../fixtures/zdd/haproxy_stats.csv', import.meta.url), 'utf8')
const blue = JSON.parse(readFileSync(new URL('../../fixtures/marathon/zdd_app_blue.json', import.meta.url), 'utf8')) as {apps: unknown[]}
const app = toZddApp(stripNulls(blue.apps[0])) as ZddApp
const naming = createServerNaming(async () => [])

/** The fixture is two `show stat` outputs: treat each as one load balancer, every row kept (as test_zdd.py). */
function twoLbs(): Listener[] {
  const second = csv.indexOf('# pxname', 1)
  return [csv.slice(0, second), csv.slice(second)].flatMap((text, lb) =>
    parseHaproxyStats(text).map((r) => ({lb, svname: r.svname, status: r.status, qcur: r.qcur, scur: r.scur})),
  )
}

describe('drain detection over two LBs (tests/test_zdd.py)', () => {
  const [t0, t1, t2] = app.tasks.map((t) => t.id)

  it('test_find_drained_task_ids: MAINT on both LBs with no sessions → drained; mixed or queued → not', () => {
    const ids = findDrainedTaskIds(app, twoLbs(), 2, naming.serverName)
    expect(ids).toContain(t0) // 2 listeners down, no sessions
    expect(ids).not.toContain(t1) // 1 up, 1 down
    expect(ids).not.toContain(t2) // 2 down, 1 with qcur
  })

  it('test_find_draining_task_ids: MAINT on both LBs → draining whatever the sessions', () => {
    const ids = findDrainingTaskIds(app, twoLbs(), 2, naming.serverName)
    expect(ids).toEqual([t0, t2])
  })

  it('test_get_svnames_from_tasks: 10_0_6_25_<port> for tasks whose host is their IP (core naming)', () => {
    expect(app.tasks.map((t) => naming.serverName(app, t))).toEqual(['10_0_6_25_16916', '10_0_6_25_31184', '10_0_6_25_23336'])
  })

  it('§10.40 fix: host-name tasks are named host_ip_port with the resolved IP, fully sanitized', async () => {
    const n = createServerNaming(async (h) => (h === 'agent-1.example' ? ['192.0.2.7'] : []))
    const a = toZddApp({id: '/web-blue', container: {docker: {network: 'BRIDGE'}}, tasks: [{id: 't1', host: 'agent-1.example', ports: [31005]}]}) as ZddApp
    await n.prepare([a])
    expect(n.serverName(a, a.tasks[0] as ZddApp['tasks'][number])).toBe('agent-1_example_192_0_2_7_31005')
  })

  it('§10.40 fix: IP-per-task apps use the task IP and the container port, like serve', async () => {
    const a = toZddApp({
      id: '/web-blue',
      ipAddress: {networkName: 'dcos'},
      container: {docker: {network: 'USER', portMappings: [{containerPort: 8080, servicePort: 10000}]}},
      tasks: [{id: 't1', host: '10.0.0.5', ports: [], ipAddresses: [{ipAddress: '9.0.0.3', protocol: 'IPv4'}]}],
    }) as ZddApp
    expect(naming.serverName(a, a.tasks[0] as ZddApp['tasks'][number])).toBe('10_0_0_5_9_0_0_3_8080')
  })

  it('test_fetch_app_listeners: pxname <group>_<HAPROXY_0_PORT>, FRONTEND/BACKEND dropped', () => {
    const listeners = selectListeners([parseHaproxyStats(csv)], groupBackendName('foobar', '8080'))
    expect(listeners).toEqual([{lb: 0, svname: 'local', status: 'OPEN', qcur: 0, scur: 0}])
  })

  it('§10.40 fix: a group with a leading or inner "/" matches serve\'s backend name', () => {
    expect(groupBackendName('/nginx', '10000')).toBe('nginx_10000')
    expect(groupBackendName('shop/web', '10000')).toBe('shop_web_10000')
  })
})
