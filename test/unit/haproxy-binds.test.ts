import {describe, expect, it} from 'vitest'
import {bindAddresses, describeRefusal, firstUnbindable, newBinds, parseBindAddress, type BindAddress} from '../../src/haproxy/binds.js'

const at = (host: string, port: number, text: string): BindAddress => ({host, port, text})

describe('parseBindAddress', () => {
  const cases: ReadonlyArray<{desc: string; input: string; expected: BindAddress | undefined}> = [
    {desc: 'IPv4 and port', input: '127.0.0.1:41004', expected: at('127.0.0.1', 41004, '127.0.0.1:41004')},
    {desc: '* is all IPv4 addresses', input: '*:80', expected: at('0.0.0.0', 80, '*:80')},
    {desc: 'an empty host is all IPv4 addresses', input: ':80', expected: at('0.0.0.0', 80, ':80')},
    {desc: 'IPv6 in brackets', input: '[::1]:8080', expected: at('::1', 8080, '[::1]:8080')},
    {desc: 'IPv6 any as :::port', input: ':::443', expected: at('::', 443, ':::443')},
    {desc: 'IPv6 without brackets, port after the last colon', input: '::1:81', expected: at('::1', 81, '::1:81')},
    {desc: 'ipv6@ with an empty host is all IPv6 addresses', input: 'ipv6@:80', expected: at('::', 80, 'ipv6@:80')},
    {desc: 'ipv4@ prefix', input: 'ipv4@10.0.0.1:80', expected: at('10.0.0.1', 80, 'ipv4@10.0.0.1:80')},
    {desc: 'tcp@ prefix', input: 'tcp@127.0.0.1:80', expected: at('127.0.0.1', 80, 'tcp@127.0.0.1:80')},
    {desc: 'abns@ is not TCP', input: 'abns@shop', expected: undefined},
    {desc: 'unix@ is not TCP', input: 'unix@/run/x.sock', expected: undefined},
    {desc: 'fd@ is not TCP', input: 'fd@3', expected: undefined},
    {desc: 'udp@ is not TCP', input: 'udp@127.0.0.1:53', expected: undefined},
    {desc: 'a unix path', input: '/var/run/haproxy.sock', expected: undefined},
    {desc: 'a port range', input: '*:8000-8010', expected: undefined},
    {desc: 'no port', input: '127.0.0.1', expected: undefined},
    {desc: 'port 0', input: '*:0', expected: undefined},
    {desc: 'port above 65535', input: '*:70000', expected: undefined},
    {desc: 'an environment variable', input: '"${ADDR}":80', expected: undefined},
    {desc: 'a host name', input: 'localhost:80', expected: undefined},
    {desc: 'an IPv6 host under ipv4@', input: 'ipv4@::1:80', expected: undefined},
  ]
  for (const c of cases) it(c.desc, () => expect(parseBindAddress(c.input)).toEqual(c.expected))
})

describe('bindAddresses', () => {
  it('reads every address of every bind line, options and non-TCP forms left out', () => {
    const config = [
      'global',
      '  stats socket /var/run/haproxy/socket expose-fd listeners',
      'listen stats',
      '  bind 0.0.0.0:9090',
      '  bind-process 1',
      'frontend marathon_https_in',
      '  bind *:443,127.0.0.1:8443 ssl crt /etc/ssl/cert.pem',
      '  bind abns@shop accept-proxy',
      '  # bind 127.0.0.1:1',
      'frontend shop_41004',
      '\tbind 127.0.0.1:41004',
      '  mode http',
    ].join('\n')
    expect(bindAddresses(config)).toEqual([
      at('0.0.0.0', 9090, '0.0.0.0:9090'), at('0.0.0.0', 443, '*:443'), at('127.0.0.1', 8443, '127.0.0.1:8443'), at('127.0.0.1', 41004, '127.0.0.1:41004'),
    ])
  })
})

describe('newBinds', () => {
  const cfg = (...binds: string[]): string => binds.map((b, i) => `frontend f${i}\n  bind ${b} name x\n`).join('')
  const cases: ReadonlyArray<{desc: string; next: string; running: string | undefined; expected: string[]}> = [
    {desc: 'nothing running: every address is new', next: cfg('*:80', '127.0.0.1:41004'), running: undefined, expected: ['*:80', '127.0.0.1:41004']},
    {desc: 'same bytes: nothing is new', next: cfg('*:80'), running: cfg('*:80'), expected: []},
    {desc: 'an added service port is new', next: cfg('*:80', '127.0.0.1:41004'), running: cfg('*:80'), expected: ['127.0.0.1:41004']},
    {desc: 'a running address written differently is not new', next: cfg(':80', '*:81'), running: cfg('*:80', '0.0.0.0:81'), expected: []},
    {desc: 'a new address under a running wildcard on that port is HAProxy\'s own', next: cfg('127.0.0.1:80'), running: cfg('*:80'), expected: []},
    {desc: 'a new wildcard over a running address on that port is HAProxy\'s own', next: cfg('*:80'), running: cfg('127.0.0.1:80'), expected: []},
    {desc: 'another address on a running port is new', next: cfg('127.0.0.2:80'), running: cfg('127.0.0.1:80'), expected: ['127.0.0.2:80']},
    {desc: 'the same address twice is tried once', next: cfg('127.0.0.1:9', '127.0.0.1:9'), running: cfg('*:80'), expected: ['127.0.0.1:9']},
    {desc: 'a removed address is not new', next: cfg('*:80'), running: cfg('*:80', '*:81'), expected: []},
  ]
  for (const c of cases) it(c.desc, () => expect(newBinds(c.next, c.running).map((b) => b.text)).toEqual(c.expected))
})

describe('firstUnbindable', () => {
  it('tries only the new addresses, in order, and describes the first refusal', async () => {
    const tried: string[] = []
    const reason = await firstUnbindable('  bind *:80\n  bind 127.0.0.1:41003\n  bind 127.0.0.1:41004\n  bind 127.0.0.1:41005\n', '  bind *:80\n', async (b) => {
      tried.push(b.text)
      return b.port === 41004 ? 'EADDRINUSE' : undefined
    })
    expect(tried).toEqual(['127.0.0.1:41003', '127.0.0.1:41004'])
    expect(reason).toBe('127.0.0.1:41004 is in use by another process (EADDRINUSE)')
  })

  it('is undefined when every new address can be bound', async () => {
    expect(await firstUnbindable('  bind *:81\n', '  bind *:80\n', async () => undefined)).toBeUndefined()
  })

  it('names the other refusals', () => {
    expect(describeRefusal(at('0.0.0.0', 80, '*:80'), 'EACCES')).toBe('*:80 cannot be bound: permission denied (EACCES)')
    expect(describeRefusal(at('10.9.9.9', 80, '10.9.9.9:80'), 'EADDRNOTAVAIL')).toBe('10.9.9.9:80 is not an address of this host (EADDRNOTAVAIL)')
  })
})
