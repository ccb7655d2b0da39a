import {describe, expect, it} from 'vitest'

import {MlbError, UsageError} from '../../src/errors.js'
import {containerServeArgv, describeContainerPlan, extractSslCerts, planContainerSetup, type ContainerPaths, type Env} from '../../src/serve/container.js'

const paths: ContainerPaths = {certDir: '/c', templatesDir: '/w/templates', haproxyConfig: '/w/haproxy.cfg'}
const plan = (env: Env, args: string[]) => planContainerSetup(env, args, paths)

describe('extractSslCerts', () => {
  const table = [
    {desc: 'separate token', input: ['sse', '--ssl-certs', '/a.pem', '--group', 'x'], expected: {rest: ['sse', '--group', 'x'], value: '/a.pem'}},
    {desc: '= form (quirk §10.34 fixed)', input: ['sse', '--ssl-certs=/a.pem,/b.pem'], expected: {rest: ['sse'], value: '/a.pem,/b.pem'}},
    {desc: 'last of several wins', input: ['--ssl-certs', '/a', 'sse', '--ssl-certs=/b'], expected: {rest: ['sse'], value: '/b'}},
    {desc: 'absent', input: ['poll', '--group', 'x'], expected: {rest: ['poll', '--group', 'x'], value: undefined}},
  ]
  for (const c of table) it(c.desc, () => expect(extractSslCerts(c.input)).toEqual(c.expected))
  it('refuses a missing value as a usage error', () => {
    expect(() => extractSslCerts(['sse', '--ssl-certs'])).toThrow(UsageError)
  })
})

describe('planContainerSetup: certificates and --ssl-certs', () => {
  const table: ReadonlyArray<{desc: string; env: Env; args: string[]; sslCerts: string; writes: string[]; selfSigned: string | undefined}> = [
    {desc: 'nothing given: self-signed at cert.pem', env: {}, args: ['sse'], sslCerts: '/c/cert.pem', writes: [], selfSigned: '/c/cert.pem'},
    {desc: 'only --ssl-certs: nothing generated', env: {}, args: ['sse', '--ssl-certs', '/u.pem'], sslCerts: '/u.pem', writes: [], selfSigned: undefined},
    {desc: 'only --ssl-certs=: nothing generated either', env: {}, args: ['sse', '--ssl-certs=/u.pem'], sslCerts: '/u.pem', writes: [], selfSigned: undefined},
    {desc: 'empty --ssl-certs counts as not given', env: {}, args: ['sse', '--ssl-certs', ''], sslCerts: '/c/cert.pem', writes: [], selfSigned: '/c/cert.pem'},
    {desc: 'HAPROXY_SSL_CERT and numbered ones, ascending, gaps skipped', env: {HAPROXY_SSL_CERT: 'a', HAPROXY_SSL_CERT10: 'k', HAPROXY_SSL_CERT2: 'c', HAPROXY_SSL_CERT0: 'z', HAPROXY_SSL_CERT1: '', HAPROXY_SSL_CERT101: 'no'}, args: ['sse'], sslCerts: '/c/cert.pem,/c/cert0.pem,/c/cert2.pem,/c/cert10.pem', writes: ['HAPROXY_SSL_CERT', 'HAPROXY_SSL_CERT0', 'HAPROXY_SSL_CERT2', 'HAPROXY_SSL_CERT10'], selfSigned: undefined},
    {desc: 'user certs come first', env: {HAPROXY_SSL_CERT: 'a', HAPROXY_SSL_CERT100: 'b'}, args: ['--ssl-certs', '/u.pem', 'sse'], sslCerts: '/u.pem,/c/cert.pem,/c/cert100.pem', writes: ['HAPROXY_SSL_CERT', 'HAPROXY_SSL_CERT100'], selfSigned: undefined},
    {desc: 'numbered certs without HAPROXY_SSL_CERT are ignored, as in run', env: {HAPROXY_SSL_CERT0: 'x'}, args: ['sse'], sslCerts: '/c/cert.pem', writes: [], selfSigned: '/c/cert.pem'},
  ]
  for (const c of table) {
    it(c.desc, () => {
      const p = plan(c.env, c.args)
      expect(p.sslCerts).toBe(c.sslCerts)
      expect(p.certWrites.map((w) => w.source)).toEqual(c.writes)
      expect(p.selfSigned).toBe(c.selfSigned)
    })
  }

  it('writes each certificate with echo -e semantics at its numbered path', () => {
    const p = plan({HAPROXY_SSL_CERT: 'A\\nB', HAPROXY_SSL_CERT7: 'C\\tD'}, ['sse'])
    expect(p.certWrites.map((w) => [w.path, w.content.toString()])).toEqual([
      ['/c/cert.pem', 'A\nB\n'],
      ['/c/cert7.pem', 'C\tD\n'],
    ])
  })

  it('warns about numbered certificates it ignores', () => {
    expect(plan({HAPROXY_SSL_CERT3: 'x'}, ['sse']).notes.map((n) => n.level)).toEqual(['warn'])
  })
})

describe('planContainerSetup: mode and serve arguments', () => {
  it('sse: generated flags first, then the user arguments', () => {
    const p = plan({}, ['sse', '--health-check', '--group', 'external'])
    expect(containerServeArgv(p)).toEqual(['--syslog-socket', '/dev/null', '--haproxy-config', '/w/haproxy.cfg', '--ssl-certs', '/c/cert.pem', '--sse', '--health-check', '--group', 'external'])
  })

  it('poll: POLL_INTERVAL defaults to 60 and is passed as --poll-interval', () => {
    expect(plan({}, ['poll']).mode).toEqual({kind: 'poll', intervalSeconds: 60})
    const p = plan({POLL_INTERVAL: '15', SYSLOG_SOCKET: '/dev/log'}, ['poll', '--group', 'x'])
    expect(containerServeArgv(p)).toEqual(['--syslog-socket', '/dev/log', '--haproxy-config', '/w/haproxy.cfg', '--ssl-certs', '/c/cert.pem', '--poll-interval', '15', '--group', 'x'])
  })

  it('user flags replace the generated ones instead of repeating them', () => {
    const p = plan({}, ['sse', '--syslog-socket=/x', '--haproxy-config', '/h.cfg', '-s', '--group', 'g'])
    expect(containerServeArgv(p)).toEqual(['--ssl-certs', '/c/cert.pem', '--syslog-socket=/x', '--haproxy-config', '/h.cfg', '-s', '--group', 'g'])
  })

  const bad = [
    {desc: 'unknown mode', args: ['daemon'], env: {}, msg: 'Unknown mode daemon. Synopsis: mlb serve poll|sse [mlb serve args]'},
    {desc: 'missing mode', args: [], env: {}, msg: 'Missing mode. Synopsis: mlb serve poll|sse [mlb serve args]'},
    {desc: 'bad POLL_INTERVAL', args: ['poll'], env: {POLL_INTERVAL: '1m'}, msg: 'POLL_INTERVAL must be a positive number of seconds, got "1m"'},
    {desc: 'zero POLL_INTERVAL', args: ['poll'], env: {POLL_INTERVAL: '0'}, msg: 'POLL_INTERVAL must be a positive number of seconds, got "0"'},
  ]
  for (const c of bad) {
    it(`refuses ${c.desc} with exit 1`, () => {
      let err: unknown
      try {
        plan(c.env, c.args)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(MlbError)
      expect((err as MlbError).message).toBe(c.msg)
      expect((err as MlbError).exit).toBe(1)
    })
  }
})

describe('planContainerSetup: environment', () => {
  it('copies sandbox templates into the templates folder', () => {
    expect(plan({MESOS_SANDBOX: '/mnt/sandbox'}, ['sse']).templates).toEqual({from: '/mnt/sandbox/templates', to: '/w/templates'})
    expect(plan({MESOS_SANDBOX: ''}, ['sse']).templates).toBeUndefined()
  })

  it('word-splits HAPROXY_SYSCTL_PARAMS; NONSTRICT relaxes failures', () => {
    expect(plan({HAPROXY_SYSCTL_PARAMS: ' net.ipv4.tcp_tw_reuse=1\tnet.core.somaxconn=10000 \n'}, ['sse']).sysctl).toEqual({args: ['-w', 'net.ipv4.tcp_tw_reuse=1', 'net.core.somaxconn=10000'], strict: true})
    expect(plan({HAPROXY_SYSCTL_PARAMS: 'a=1', HAPROXY_SYSCTL_NONSTRICT: 'true'}, ['sse']).sysctl?.strict).toBe(false)
  })

  it('MARATHON_USER/MARATHON_PASSWORD with spaces and colons become credentials, not arguments', () => {
    const p = plan({MARATHON_USER: 'lb user', MARATHON_PASSWORD: 'p a:ss word'}, ['sse', '--group', 'x'])
    expect(p.auth).toEqual({user: 'lb user', password: 'p a:ss word', source: 'MARATHON_USER'})
    expect(containerServeArgv(p).join(' ')).not.toContain('p a:ss')
    expect(describeContainerPlan(p).join('\n')).not.toContain('p a:ss')
  })

  it('ignores half-set Marathon credentials with a warning, refuses a user with a colon', () => {
    const p = plan({MARATHON_USER: 'u'}, ['sse'])
    expect(p.auth).toBeUndefined()
    expect(p.notes.some((n) => n.level === 'warn' && n.msg.includes('MARATHON_PASSWORD'))).toBe(true)
    expect(() => plan({MARATHON_USER: 'a:b', MARATHON_PASSWORD: 'x'}, ['sse'])).toThrow('MARATHON_USER must not contain ":"')
  })

  it('PORTS is neither required nor used (quirk §10.32)', () => {
    expect(plan({}, ['sse']).notes).toEqual([])
    expect(plan({PORTS: '80,443'}, ['sse']).notes.map((n) => n.level)).toEqual(['info'])
  })

  it('HAPROXY_SYSLOGD asks for the syslog relay', () => {
    expect(plan({HAPROXY_SYSLOGD: '1'}, ['sse']).syslogd).toBe(true)
    expect(plan({}, ['sse']).syslogd).toBe(false)
  })

  it('never puts certificate bytes in the description', () => {
    const p = plan({HAPROXY_SSL_CERT: 'SECRETKEYMATERIAL'}, ['sse'])
    expect(describeContainerPlan(p).join('\n')).not.toContain('SECRETKEYMATERIAL')
  })
})
