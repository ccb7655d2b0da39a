import {describe, expect, it} from 'vitest'

import {parseArgs} from '../../src/cli/argparse.js'
import {SERVE_FLAGS} from '../../src/cli/serve-flags.js'
import {MlbError, UsageError} from '../../src/errors.js'
import {haproxyDirOf, serveOptionsFrom, type ServeOptions} from '../../src/serve/options.js'

function opts(argv: string[], env: Record<string, string> = {}): ServeOptions {
  return serveOptionsFrom(parseArgs(SERVE_FLAGS, argv), env)
}

function failure(argv: string[], env: Record<string, string> = {}): MlbError {
  try {
    opts(argv, env)
  } catch (err) {
    expect(err).toBeInstanceOf(MlbError)
    return err as MlbError
  }
  throw new Error(`expected ${argv.join(' ')} to fail`)
}

describe('serve options: marathon-lb defaults (spec §1.1, §1.2)', () => {
  it('applies every default', () => {
    const o = opts(['--group', 'external'])
    expect(o.marathonUrls).toEqual(['http://master.mesos:8080'])
    expect(o.haproxyConfig).toBe('/etc/haproxy/haproxy.cfg')
    expect(o.generate).toEqual({
      groups: ['external'],
      strictMode: false,
      healthCheck: false,
      haproxyMap: false,
      dontBindHttpHttps: false,
      groupHttpsByVhost: false,
      sslCerts: ['/etc/ssl/cert.pem'],
      haproxyDir: '/etc/haproxy/',
      servicePortRange: {min: 10050, max: 10100},
      frameworkName: undefined,
    })
    expect(o).toMatchObject({
      maxReloadRetries: 10,
      reloadIntervalSeconds: 10,
      archiveVersions: 5,
      lruCacheCapacity: 1000,
      maxBackoffSeconds: 300,
      logLevel: 'debug',
      logFormat: '%(asctime)-15s %(name)s: %(message)s',
      dry: false,
      watch: {kind: 'events'},
      caCertPath: undefined,
      auth: {credentialFile: undefined, credentials: undefined, dcosCredentials: undefined},
    })
  })

  it('maps flags onto GenerateOptions', () => {
    const o = opts(
      ['-m', 'http://a:8080 http://b:8080', '--group', 'a', '--group', '*', '--strict-mode', '-H', '--haproxy-map', '--dont-bind-http-https',
        '--group-https-by-vhost', '--ssl-certs', '/a.pem,/b.pem', '--haproxy-config', '/marathon-lb/haproxy.cfg',
        '--min-serv-port-ip-per-task', '0', '--max-serv-port-ip-per-task', '0'],
      {FRAMEWORK_NAME: 'marathon-lb'},
    )
    expect(o.marathonUrls).toEqual(['http://a:8080', 'http://b:8080'])
    expect(o.generate).toEqual({
      groups: ['a', '*'],
      strictMode: true,
      healthCheck: true,
      haproxyMap: true,
      dontBindHttpHttps: true,
      groupHttpsByVhost: true,
      sslCerts: ['/a.pem', '/b.pem'],
      haproxyDir: '/marathon-lb/',
      servicePortRange: undefined,
      frameworkName: 'marathon-lb',
    })
  })

  it('treats an empty --ssl-certs as the default and keeps entries untrimmed', () => {
    expect(opts(['--group', 'x', '--ssl-certs', '']).generate.sslCerts).toEqual(['/etc/ssl/cert.pem'])
    expect(opts(['--group', 'x', '--ssl-certs', '/a.pem, /b.pem']).generate.sslCerts).toEqual(['/a.pem', ' /b.pem'])
  })

  it("computes the map folder like Python's os.path.dirname", () => {
    expect(haproxyDirOf('/marathon-lb/haproxy.cfg')).toBe('/marathon-lb/')
    expect(haproxyDirOf('/haproxy.cfg')).toBe('/')
    expect(haproxyDirOf('haproxy.cfg')).toBe('/')
    expect(haproxyDirOf('conf//haproxy.cfg')).toBe('conf/')
  })
})

describe('serve options: validation messages (spec §1.1, §10.29)', () => {
  const cases: {desc: string; argv: string[]; env?: Record<string, string>; exit: number; message: string}[] = [
    {desc: 'no --group', argv: [], exit: 2, message: 'argument --group is required: pleasespecify at least one group name'},
    {
      desc: 'only one port bound zero',
      argv: ['--group', 'x', '--min-serv-port-ip-per-task', '0'],
      exit: 2,
      message:
        'either specify both --min-serv-port-ip-per-task and --max-serv-port-ip-per-task or neither (set both to zero to disable auto assignment)',
    },
    {
      desc: 'min above max',
      argv: ['--group', 'x', '--min-serv-port-ip-per-task', '200', '--max-serv-port-ip-per-task', '100'],
      exit: 2,
      message: 'cannot set --min-serv-port-ip-per-task to a higher value than --max-serv-port-ip-per-task',
    },
    {desc: 'port checks come before the group check', argv: ['--min-serv-port-ip-per-task', '200', '--max-serv-port-ip-per-task', '100'], exit: 2, message: 'cannot set --min-serv-port-ip-per-task to a higher value than --max-serv-port-ip-per-task'},
    {desc: 'bad log level', argv: ['--group', 'x', '--log-level', 'chatty'], exit: 1, message: 'Invalid log level: CHATTY'},
    {desc: 'unknown mode argument', argv: ['watch', '--group', 'x'], exit: 2, message: 'unrecognized arguments: watch'},
    {desc: 'mode argument not first', argv: ['--group', 'x', 'sse'], exit: 2, message: 'unrecognized arguments: sse'},
    {desc: 'bad POLL_INTERVAL', argv: ['poll', '--group', 'x'], env: {POLL_INTERVAL: 'soon'}, exit: 2, message: "environment variable POLL_INTERVAL: invalid int value: 'soon'"},
    {desc: '--sse with --poll-interval', argv: ['--sse', '--poll-interval', '5', '--group', 'x'], exit: 2, message: 'argument --poll-interval: not allowed with argument --sse/-s'},
    {desc: 'empty --marathon', argv: ['-m', ' ', '--group', 'x'], exit: 2, message: 'argument --marathon/-m is required'},
    {
      desc: 'MARATHON_USER without MARATHON_PASSWORD',
      argv: ['--group', 'x'],
      env: {MARATHON_USER: 'u'},
      exit: 2,
      message: 'environment variable MARATHON_PASSWORD is not set (or empty) but MARATHON_USER is: set both for --auth-credentials, or neither',
    },
    {
      desc: 'MARATHON_PASSWORD without MARATHON_USER (an empty one counts as unset)',
      argv: ['--group', 'x'],
      env: {MARATHON_USER: '', MARATHON_PASSWORD: 'p'},
      exit: 2,
      message: 'environment variable MARATHON_USER is not set (or empty) but MARATHON_PASSWORD is: set both for --auth-credentials, or neither',
    },
  ]
  for (const c of cases) {
    it(c.desc, () => {
      const err = failure(c.argv, c.env)
      expect(err.exit).toBe(c.exit)
      expect(err instanceof UsageError).toBe(c.exit === 2)
      expect(err.message).toBe(c.message)
    })
  }
})

describe('serve options: modes and environment conventions', () => {
  it('accepts the container mode argument and --sse', () => {
    expect(opts(['sse', '--group', 'x']).watch).toEqual({kind: 'events'})
    expect(opts(['--sse', '--group', 'x'], {POLL_INTERVAL: '5'}).watch).toEqual({kind: 'events'})
    expect(opts(['poll', '--group', 'x']).watch).toEqual({kind: 'poll', intervalSeconds: 60})
    expect(opts(['poll', '--group', 'x'], {POLL_INTERVAL: '15'}).watch).toEqual({kind: 'poll', intervalSeconds: 15})
    expect(opts(['--poll-interval', '7', '--group', 'x'], {POLL_INTERVAL: '15'}).watch).toEqual({kind: 'poll', intervalSeconds: 7})
  })

  it('reads credentials from the environment, flags first', () => {
    const env = {MARATHON_USER: 'u', MARATHON_PASSWORD: 'p', DCOS_SERVICE_ACCOUNT_CREDENTIAL: '{"uid":"x"}'}
    expect(opts(['--group', 'x'], env).auth).toEqual({credentialFile: undefined, credentials: 'u:p', dcosCredentials: '{"uid":"x"}'})
    expect(opts(['--group', 'x', '--auth-credentials', 'a:b', '--dcos-auth-credentials', ''], env).auth).toEqual({
      credentialFile: undefined,
      credentials: 'a:b',
      dcosCredentials: '',
    })
  })

  it('accepts one of MARATHON_USER/MARATHON_PASSWORD when a credential flag makes them irrelevant', () => {
    expect(opts(['--group', 'x', '--auth-credentials', 'a:b'], {MARATHON_USER: 'u'}).auth.credentials).toBe('a:b')
    expect(opts(['--group', 'x', '--marathon-auth-credential-file', '/run/cred'], {MARATHON_PASSWORD: 'p'}).auth).toEqual({
      credentialFile: '/run/cred',
      credentials: undefined,
      dcosCredentials: undefined,
    })
  })

  it('never shows the value of the one variable that is set', () => {
    for (const env of [{MARATHON_USER: 'secret-user'}, {MARATHON_PASSWORD: 'secret-pass'}]) {
      expect(failure(['--group', 'x'], env).message).not.toMatch(/secret/)
    }
  })

  // The container set-up warns about one of them and ignores it (src/serve/container.ts); its
  // rewritten arguments are parsed with the same environment, which must not fail now.
  it('leaves one of MARATHON_USER/MARATHON_PASSWORD to the container set-up in container mode', () => {
    expect(opts(['--group', 'x'], {MLB_CONTAINER: '1', MARATHON_USER: 'u'}).auth.credentials).toBeUndefined()
    expect(opts(['--group', 'x'], {MLB_CONTAINER: 'true', MARATHON_PASSWORD: 'p'}).auth.credentials).toBeUndefined()
    expect(opts(['--group', 'x', '--container'], {MARATHON_USER: 'u'}).auth.credentials).toBeUndefined()
  })

  it('reads SYSLOG_SOCKET as the default of --syslog-socket', () => {
    expect(opts(['--group', 'x'], {SYSLOG_SOCKET: '/dev/null'}).syslogSocket).toBe('/dev/null')
    expect(opts(['--group', 'x', '--syslog-socket', '/run/log'], {SYSLOG_SOCKET: '/dev/null'}).syslogSocket).toBe('/run/log')
  })
})
