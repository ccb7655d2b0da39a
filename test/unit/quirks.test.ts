/** One test per marathon-lb quirk mlb fixes (docs/compatibility.md); kept quirks are covered by the vectors. */
import {describe, expect, it} from 'vitest'
import {app, field, generate, healthCheck, host, id, ips, label, labels, marathon, networks, portDefs, portMappings, ports, section, task, tasks} from '../builders.js'

const servers = (cfg: string, backend: string): string[] => section(cfg, `backend ${backend}`).filter((l) => l.startsWith('  server '))

describe('quirks mlb fixes', () => {
  it('§10.4: BACKEND_HEALTHCHECK_PORT_INDEX equal to the port count uses the own port instead of crashing', () => {
    const out = generate(marathon(app(id('/hc'), portDefs(10000, 10001), healthCheck(), label('HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX', '2'),
      tasks(task(ports(31000, 31001))))))
    expect(out.skipped).toEqual([])
    expect(servers(out.config, 'hc_10000')[0]).toMatch(/ check inter 2s fall 11 port 31000$/)
  })

  it('§10.4: a negative index counts from the end, as in Python', () => {
    const out = generate(marathon(app(id('/hc'), portDefs(10000, 10001), healthCheck(), label('HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX', '-1'),
      tasks(task(ports(31000, 31001))))))
    expect(servers(out.config, 'hc_10000')[0]).toMatch(/ port 31001$/)
  })

  it('§10.3: a health check without its required fields leaves out only that service', () => {
    const out = generate(marathon(
      app(id('/nohc'), portDefs(10000), field('healthChecks', [{protocol: 'HTTP', portIndex: 0}]), tasks(task(ports(31000)))),
      app(id('/ok'), portDefs(10001), tasks(task(ports(31001)))),
    ))
    expect(out.skipped).toMatchObject([{appId: '/nohc', portIndex: 0}])
    expect(out.skipped[0]?.reason).toMatch(/lacks timeoutSeconds, intervalSeconds, gracePeriodSeconds, maxConsecutiveFailures/)
    expect(out.config).toContain('\nbackend ok_10001\n')
    expect(out.config).not.toContain('nohc_10000')
  })

  it('IP-per-task servers tying on host and port are sorted by IP: same state, same bytes', () => {
    const t = (ip: string): ReturnType<typeof task> => task(host('10.0.0.1'), ips(ip))
    const a = marathon(app(id('/c'), portMappings([8080, 10000]), networks('container'), tasks(t('9.0.0.3'), t('9.0.0.1'), t('9.0.0.2'))))
    const b = marathon(app(id('/c'), portMappings([8080, 10000]), networks('container'), tasks(t('9.0.0.2'), t('9.0.0.3'), t('9.0.0.1'))))
    const ipsOf = (cfg: string): string[] => servers(cfg, 'c_10000').map((l) => l.split(' ')[4] as string)
    expect(ipsOf(generate(a).config)).toEqual(['9.0.0.1:8080', '9.0.0.2:8080', '9.0.0.3:8080'])
    expect(generate(a).config).toBe(generate(b).config)
  })

  it('§10.12: grouped-HTTPS certificates are sorted, bind options keep first-seen order', () => {
    const state = marathon(
      app(id('/a'), portDefs(10000), labels({HAPROXY_0_VHOST: 'x.com', HAPROXY_0_SSL_CERT: '/z.pem', HAPROXY_0_BIND_OPTIONS: 'verify none'}), tasks(task(ports(31000)))),
      app(id('/b'), portDefs(10001), labels({HAPROXY_0_VHOST: 'x.com', HAPROXY_0_SSL_CERT: '/a.pem', HAPROXY_0_BIND_OPTIONS: 'alpn h2'}), tasks(task(ports(31001)))),
    )
    const cfg = generate(state, {groupHttpsByVhost: true}).config
    expect(section(cfg, 'frontend x_com')[1]).toBe('  bind abns@x_com accept-proxy ssl crt /a.pem crt /z.pem verify none  alpn h2')
    // The same certificates declared in the other order (other app ids) give the same line.
    const swapped = marathon(
      app(id('/a'), portDefs(10000), labels({HAPROXY_0_VHOST: 'x.com', HAPROXY_0_SSL_CERT: '/a.pem', HAPROXY_0_BIND_OPTIONS: 'verify none'}), tasks(task(ports(31000)))),
      app(id('/b'), portDefs(10001), labels({HAPROXY_0_VHOST: 'x.com', HAPROXY_0_SSL_CERT: '/z.pem', HAPROXY_0_BIND_OPTIONS: 'alpn h2'}), tasks(task(ports(31001)))),
    )
    expect(section(generate(swapped, {groupHttpsByVhost: true}).config, 'frontend x_com')[1]).toBe('  bind abns@x_com accept-proxy ssl crt /a.pem crt /z.pem verify none  alpn h2')
  })

  it('§10.12: without SSL_CERT labels a vhost gets --ssl-certs in the order given (the first is the default certificate)', () => {
    const state = marathon(app(id('/a'), portDefs(10000), labels({HAPROXY_0_VHOST: 'x.com'}), tasks(task(ports(31000)))))
    const cfg = generate(state, {groupHttpsByVhost: true, sslCerts: ['/z.pem', '/a.pem']}).config
    expect(section(cfg, 'frontend x_com')[1]).toBe('  bind abns@x_com accept-proxy ssl crt /z.pem crt /a.pem')
  })

  it('§10.22: a state with a merged deployment group renders identically when rendered again', () => {
    const colour = (appId: string, started: string, p: number): ReturnType<typeof app> =>
      app(id(appId), portDefs(10000), labels({HAPROXY_DEPLOYMENT_GROUP: 'g', HAPROXY_DEPLOYMENT_STARTED_AT: started}), tasks(task(ports(p))))
    const state = marathon(colour('/g-blue', '2020-01-01T00:00:00', 31000), colour('/g-green', '2020-01-02T00:00:00', 31001))
    const first = generate(state).config
    expect(servers(first, 'g_10000')).toHaveLength(2)
    expect(generate(state).config).toBe(first)
  })
})
