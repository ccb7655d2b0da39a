import {describe, expect, it} from 'vitest'
import {MarathonError} from '../../src/errors.js'
import {parseMarathonApps} from '../../src/model/apps.js'
import {app, field, generate, healthCheck, id, ips, label, labels, marathon, portDefs, portMappings, ports, task, tasks} from '../builders.js'

const good = app(id('/good'), portDefs(10000), tasks(task(ports(31000))))

describe('a bad label excludes only the affected service (issue 2 "Bad input")', () => {
  const cases: {desc: string; labels: Record<string, string>; label: string; reason: RegExp}[] = [
    {desc: 'AUTH without 3 parts', labels: {HAPROXY_0_AUTH: 'realm:user'}, label: 'HAPROXY_0_AUTH', reason: /3 parts/},
    {desc: 'AUTH with a space in the password', labels: {HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: 'realm:user:pa ss'}, label: 'HAPROXY_0_AUTH', reason: /^the password contains characters/},
    {desc: 'AUTH with a user that adds words', labels: {HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: 'realm:u groups admin:hash'}, label: 'HAPROXY_0_AUTH', reason: /^the user contains characters/},
    {desc: 'AUTH with a backslash closing the realm', labels: {HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: 'realm\\:user:hash'}, label: 'HAPROXY_0_AUTH', reason: /^the realm contains characters/},
    {desc: 'non-integer PORT', labels: {HAPROXY_0_PORT: '80a'}, label: 'HAPROXY_0_PORT', reason: /port number/},
    {desc: 'PORT out of range', labels: {HAPROXY_0_PORT: '70000'}, label: 'HAPROXY_0_PORT', reason: /port number/},
    {desc: 'non-integer BACKEND_WEIGHT', labels: {HAPROXY_0_BACKEND_WEIGHT: 'high'}, label: 'HAPROXY_0_BACKEND_WEIGHT', reason: /integer/},
    {desc: 'non-integer BACKEND_HEALTHCHECK_PORT_INDEX', labels: {HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: '1.5'}, label: 'HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX', reason: /integer/},
    {desc: 'vhost with a newline', labels: {HAPROXY_0_VHOST: 'a.com\n  use_backend evil'}, label: 'HAPROXY_0_VHOST', reason: /characters/},
    {desc: 'vhost with braces', labels: {HAPROXY_0_VHOST: 'a.com } or { always_true'}, label: 'HAPROXY_0_VHOST', reason: /characters/},
    {desc: 'BIND_OPTIONS with a newline', labels: {HAPROXY_0_BIND_OPTIONS: 'ssl\nlisten x'}, label: 'HAPROXY_0_BIND_OPTIONS', reason: /characters/},
    {desc: 'unknown MODE', labels: {HAPROXY_0_MODE: 'udp'}, label: 'HAPROXY_0_MODE', reason: /http or tcp/},
    {desc: 'template with unknown placeholder', labels: {HAPROXY_0_FRONTEND_HEAD: '\nfrontend {nope}\n'}, label: 'HAPROXY_0_FRONTEND_HEAD', reason: /KeyError: 'nope'/},
    {desc: 'template with a stray brace', labels: {HAPROXY_0_BACKEND_HEAD: '\nbackend {backend\n'}, label: 'HAPROXY_0_BACKEND_HEAD', reason: /ValueError/},
    {desc: 'ACL template missing a call-site key', labels: {HAPROXY_0_VHOST: 'a.com', HAPROXY_0_HTTPS_FRONTEND_ACL_WITH_PATH: '{path}', HAPROXY_0_PATH: '/p'}, label: 'HAPROXY_0_HTTPS_FRONTEND_ACL_WITH_PATH', reason: /KeyError: 'path'/},
  ]
  for (const c of cases) {
    it(c.desc, () => {
      const bad = app(id('/bad'), portDefs(10001, 10002), field('labels', c.labels), tasks(task(ports(31001, 31002))))
      const out = generate(marathon(bad, good))
      expect(out.skipped).toHaveLength(1)
      expect(out.skipped[0]).toMatchObject({appId: '/bad', portIndex: 0, label: c.label})
      expect(out.skipped[0]?.reason).toMatch(c.reason)
      expect(out.config).not.toContain('bad_10001')
      // The other port of the same app and the other app still render.
      expect(out.config).toContain('\nbackend bad_10002\n')
      expect(out.config).toContain('\nbackend good_10000\n')
      expect(out.renderedAppIds).toEqual(['/bad', '/good'])
    })
  }
})

describe('AUTH', () => {
  it('keeps a realm with spaces (it is quoted) and never names the password hash in a problem', () => {
    const ok = generate(marathon(app(id('/a'), portDefs(10000), labels({HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: 'My Realm:user:$6$hash'}), tasks(task(ports(31000))))))
    expect(ok.skipped).toEqual([])
    expect(ok.config).toContain('http-request auth realm "My Realm" if ')
    expect(ok.config).toContain('  user user password $6$hash\n')
    const bad = generate(marathon(app(id('/a'), portDefs(10000), labels({HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: 'realm:user:secret hash'}), tasks(task(ports(31000))))))
    expect(JSON.stringify(bad.skipped)).not.toContain('secret')
  })
})

describe('malformed Marathon JSON never crashes generation', () => {
  const cases: {desc: string; opt: ReturnType<typeof field>; reason: RegExp}[] = [
    {desc: 'ports as a string', opt: field('portDefinitions', 'nope'), reason: /portDefinitions must be a list/},
    {desc: 'label value not a string', opt: field('labels', {HAPROXY_0_VHOST: 5}), reason: /labels.HAPROXY_0_VHOST must be a string/},
    {desc: 'task port not an integer', opt: field('tasks', [{id: 't', host: 'h', ports: ['x']}]), reason: /tasks\[0\].ports\[0\] must be an integer/},
    {desc: 'health check interval as text', opt: field('healthChecks', [{protocol: 'HTTP', intervalSeconds: '2'}]), reason: /intervalSeconds must be a number/},
    {desc: 'tasks not a list', opt: field('tasks', {}), reason: /tasks must be a list/},
  ]
  for (const c of cases) {
    it(c.desc, () => {
      const out = generate(marathon(app(id('/broken'), portDefs(10001), c.opt), good))
      expect(out.skipped).toEqual([{appId: '/broken', reason: expect.stringMatching(c.reason) as unknown as string}])
      expect(out.config).toContain('\nbackend good_10000\n')
    })
  }

  // Values Marathon never sends, but which would be written into the configuration as they are.
  const injected: {desc: string; app: ReturnType<typeof app>; reason: RegExp}[] = [
    {desc: 'a health-check path that adds a server', app: app(id('/broken'), portDefs(10001), healthCheck({path: '/x\n  server evil 6.6.6.6:80'}), tasks(task(ports(31001)))), reason: /healthChecks\[0\]\.path "\/x\\n {2}server evil 6\.6\.6\.6:80" contains characters that would change the HAProxy configuration/},
    {desc: 'a health-check path with a space', app: app(id('/broken'), portDefs(10001), healthCheck({path: '/x HTTP/1.1'}), tasks(task(ports(31001)))), reason: /healthChecks\[0\]\.path/},
    {desc: 'an IP-per-task address that adds a server', app: app(id('/broken'), portDefs(10001), field('ipAddress', {discovery: {ports: [{number: 80}]}}), tasks(task(ports(31001), ips('9.9.9.9\n  server evil 1.1.1.1:1')))), reason: /tasks\[0\]\.ipAddresses\[0\]\.ipAddress/},
    {desc: 'a service port above 65535', app: app(id('/broken'), portDefs(70000), tasks(task(ports(31001)))), reason: /portDefinitions\[0\]\.port must be a port number 0-65535, got 70000/},
    {desc: 'a negative service port', app: app(id('/broken'), field('ports', [-1])), reason: /ports\[0\] must be a port number 0-65535, got -1/},
    {desc: 'a service port mapping above 65535', app: app(id('/broken'), portMappings([80, 65536]), tasks(task(ports(31001)))), reason: /container\.portMappings\[0\]\.servicePort must be a port number/},
    {desc: 'a task port above 65535', app: app(id('/broken'), portDefs(10001), tasks(task(ports(31001)), task(ports(70000)))), reason: /tasks\[1\]\.ports\[0\] must be a port number 0-65535, got 70000/},
  ]
  for (const c of injected) {
    it(`leaves out the app with ${c.desc}`, () => {
      const out = generate(marathon(c.app, good))
      expect(out.skipped).toEqual([{appId: '/broken', reason: expect.stringMatching(c.reason) as unknown as string}])
      expect(out.config).not.toMatch(/evil|broken/)
      expect(out.config).toContain('\nbackend good_10000\n')
    })
  }

  it('names an app whose id is not one word by its index (the id would split the log line)', () => {
    const out = generate(marathon(app(id('/x\nfrontend evil'), portDefs(10001), tasks(task(ports(31001)))), good))
    expect(out.skipped).toEqual([{appId: 'apps[0]', reason: 'malformed Marathon app: id "/x\\nfrontend evil" contains characters that would change the HAProxy configuration'}])
    expect(out.config).not.toContain('evil')
    expect(out.config).toContain('\nbackend good_10000\n')
  })

  it('skips an app entry that is not an object', () => {
    const out = generate({apps: [42, good]})
    expect(out.skipped).toEqual([{appId: 'apps[0]', reason: 'malformed Marathon app: app must be an object'}])
  })

  for (const garbage of [null, 'text', [], {}, {apps: {}}]) {
    it(`refuses the body ${JSON.stringify(garbage)} as a whole`, () => {
      expect(() => parseMarathonApps(garbage)).toThrow(MarathonError)
    })
  }

  it('treats nulls as absent (spec §5.1)', () => {
    const out = generate(marathon(app(id('/n'), portDefs(10000), field('container', null), field('ipAddress', null), label('HAPROXY_GROUP', 'x'), tasks(task(ports(31000))))))
    expect(out.skipped).toEqual([])
    expect(out.config).toContain('\nbackend n_10000\n')
  })
})
