import {describe, expect, it} from 'vitest'
import {app, generate, id, labels, marathon, portDefs, ports, section, task, tasks} from '../builders.js'

function vhostApp(appId: string, port: number, l: Record<string, string>): ReturnType<typeof app> {
  return app(id(appId), portDefs(port), labels({HAPROXY_0_VHOST: 'shop.example.com', ...l}), tasks(task(ports(port + 20000))))
}

/** Backends in the order their routing lines appear in a frontend. */
function routedOrder(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith('  use_backend ')).map((l) => l.split(' ')[3] as string)
}

describe('vhost ACL blocks are ordered by weight, then service order (spec §5.10)', () => {
  const cases: {desc: string; apps: [string, number, Record<string, string>][]; expected: string[]}[] = [
    {desc: 'equal weights keep (appId, port) order', apps: [['/b', 10001, {}], ['/a', 10000, {}]], expected: ['a_10000', 'b_10001']},
    {desc: 'higher BACKEND_WEIGHT first', apps: [['/a', 10000, {HAPROXY_0_BACKEND_WEIGHT: '1'}], ['/b', 10001, {HAPROXY_0_BACKEND_WEIGHT: '5'}]], expected: ['b_10001', 'a_10000']},
    {desc: 'PATH lifts weight 0 to 1', apps: [['/a', 10000, {}], ['/b', 10001, {HAPROXY_0_PATH: '/api'}]], expected: ['b_10001', 'a_10000']},
    {desc: 'PATH keeps an explicit weight', apps: [['/a', 10000, {HAPROXY_0_BACKEND_WEIGHT: '3'}], ['/b', 10001, {HAPROXY_0_PATH: '/api', HAPROXY_0_BACKEND_WEIGHT: '2'}]], expected: ['a_10000', 'b_10001']},
    {desc: 'negative weight sorts last', apps: [['/a', 10000, {HAPROXY_0_BACKEND_WEIGHT: '-2'}], ['/b', 10001, {}]], expected: ['b_10001', 'a_10000']},
  ]
  for (const c of cases) {
    it(c.desc, () => {
      const cfg = generate(marathon(...c.apps.map(([i, p, l]) => vhostApp(i, p, l)))).config
      expect(routedOrder(section(cfg, 'frontend marathon_http_in'))).toEqual(c.expected)
      expect(routedOrder(section(cfg, 'frontend marathon_https_in'))).toEqual(c.expected)
    })
  }

  it('map mode puts explicit ACLs before the catch-all map line (weight −1)', () => {
    const cfg = generate(marathon(vhostApp('/a', 10000, {}), vhostApp('/b', 10001, {HAPROXY_0_AUTH: 'r:u:p'})), {haproxyMap: true}).config
    const http = section(cfg, 'frontend marathon_http_in')
    expect(http.at(-1)).toBe('  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/marathon-lb/domain2backend.map)]')
    expect(routedOrder(http)).toEqual(['b_10001', '%[req.hdr(host),lower,regsub(:.*$,,),map(/marathon-lb/domain2backend.map)]'])
  })
})
