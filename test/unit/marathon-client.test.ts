import {afterEach, describe, expect, it} from 'vitest'

import {MarathonError} from '../../src/errors.js'
import {MemoryLogger} from '../../src/log.js'
import {BasicAuth} from '../../src/marathon/auth.js'
import {MarathonClient} from '../../src/marathon/client.js'
import {deadUrl, startFixtureServer, type FixtureServer} from '../fixture-server.js'

const APPS = JSON.stringify({apps: [{id: '/web', labels: {}, tasks: []}]})

const servers: FixtureServer[] = []
const clients: MarathonClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(...args: Parameters<typeof startFixtureServer>): Promise<FixtureServer> {
  const s = await startFixtureServer(...args)
  servers.push(s)
  return s
}

function client(opts: ConstructorParameters<typeof MarathonClient>[0]): MarathonClient {
  const c = new MarathonClient(opts)
  clients.push(c)
  return c
}

async function marathonError(p: Promise<unknown>): Promise<MarathonError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(MarathonError)
  expect((err as MarathonError).exit).toBe(1)
  return err as MarathonError
}

describe('MarathonClient (spec §6.1)', () => {
  it('sends marathon-lb headers and returns the parsed body', async () => {
    const s = await serve(APPS)
    const c = client({urls: [s.url], userAgent: 'mlb-test'})
    expect(await c.getApps()).toEqual(JSON.parse(APPS))
    const req = s.requests[0]!
    expect(req.url).toBe('/v2/apps?embed=apps.tasks')
    expect(req.headers['accept']).toBe('application/json')
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['user-agent']).toBe('mlb-test')
    expect(req.headers['authorization']).toBeUndefined()
  })

  it('keeps a base path and sends JSON bodies', async () => {
    const s = await serve((req) => ({status: 201, body: JSON.stringify({echo: JSON.parse(req.body) as unknown, url: req.url})}))
    const c = client({urls: [`${s.url}/service/marathon/`]})
    const res = await c.request<{echo: unknown; url: string}>('POST', '/v2/apps', {id: '/x'})
    expect(res).toEqual({status: 201, body: {echo: {id: '/x'}, url: '/service/marathon/v2/apps'}, url: `${s.url}/service/marathon`})
  })

  it('fails over from a dead first host to a live second one and sticks to it', async () => {
    const dead = await deadUrl()
    const live = await serve(APPS)
    const log = new MemoryLogger()
    const c = client({urls: [dead, live.url], logger: log})
    expect(c.currentUrl).toBe(dead)
    await c.getApps()
    expect(c.currentUrl).toBe(live.url)
    expect(log.messages('warn')).toEqual([`Marathon ${dead} failed (connection refused), trying ${live.url}`])
    await c.getApps()
    expect(log.messages('warn')).toHaveLength(1) // the dead host was not tried again
    expect(live.requests).toHaveLength(2)
  })

  it('fails over when a host does not answer within the read timeout', async () => {
    const slow = await serve(() => ({delayMs: 10_000, body: APPS}))
    const live = await serve(APPS)
    const c = client({urls: [slow.url, live.url], readTimeoutMs: 300})
    expect(await c.getApps()).toEqual(JSON.parse(APPS))
    expect(c.currentUrl).toBe(live.url)
  })

  it('names every host when all of them fail', async () => {
    const [a, b] = [await deadUrl(), await deadUrl()]
    const err = await marathonError(client({urls: [a, b]}).getApps())
    expect(err.message).toBe(`cannot reach Marathon: ${a}: connection refused; ${b}: connection refused`)
  })

  it('accepts any HTTP answer without failover, and getApps reports status and message', async () => {
    const failing = await serve(() => ({status: 503, body: JSON.stringify({message: 'Leader unavailable'})}))
    const other = await serve(APPS)
    const c = client({urls: [failing.url, other.url]})
    expect((await c.request('GET', '/v2/apps')).status).toBe(503)
    const err = await marathonError(c.getApps())
    expect(err.message).toBe(`Marathon ${failing.url} answered HTTP 503: Leader unavailable`)
    expect(err.status).toBe(503)
    expect(other.requests).toHaveLength(0) // spec §10.26
  })

  const garbage: {desc: string; body: string; headers?: Record<string, string>; message: string}[] = [
    {desc: 'a body that is not JSON', body: '<html>oops</html>', headers: {'content-type': 'text/html; charset=utf-8'}, message: 'answered HTTP 200 with a body that is not JSON (text/html)'},
    {desc: 'an empty body', body: '', message: 'answered HTTP 200 with an empty body'},
    {desc: 'JSON without apps', body: '{}', message: 'answered HTTP 200 without an "apps" list'},
    {desc: 'apps that is not a list', body: '{"apps": {}}', message: 'answered HTTP 200 without an "apps" list'},
    {desc: 'a JSON array', body: '[]', message: 'answered HTTP 200 without an "apps" list'},
  ]
  for (const g of garbage) {
    it(`rejects ${g.desc}`, async () => {
      const s = await serve(() => ({status: 200, body: g.body, ...(g.headers === undefined ? {} : {headers: g.headers})}))
      const err = await marathonError(client({urls: [s.url]}).getApps())
      expect(err.message).toBe(`Marathon ${s.url} ${g.message}`)
    })
  }

  it('sends Basic auth, from the auth option or from URL user info, and never shows the password', async () => {
    const s = await serve(() => ({status: 401, body: JSON.stringify({message: 'denied for hunter2'})}))
    const withAuth = client({urls: [s.url], auth: BasicAuth.fromPair('alice:hunter2')})
    const err = await marathonError(withAuth.getApps())
    expect(s.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('alice:hunter2').toString('base64')}`)
    expect(err.message).toBe(`Marathon ${s.url} answered HTTP 401: denied for ***`)
    const inUrl = client({urls: [s.url.replace('http://', 'http://bob:pw%3Ax@')]})
    expect(inUrl.currentUrl).toBe(s.url)
    await marathonError(inUrl.getApps())
    expect(s.requests[1]!.headers['authorization']).toBe(`Basic ${Buffer.from('bob:pw:x').toString('base64')}`)
  })

  it('sends a URL\'s user info to that host only; explicit credentials go to every host', async () => {
    const a = await serve(() => ({status: 503, body: '{}'}))
    const b = await serve(() => ({status: 200, body: '{"apps": []}'}))
    const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`
    // a fails over to b (a 503 is an answer: no failover), so b is asked directly too.
    await client({urls: [a.url.replace('http://', 'http://alice:pw1@'), b.url]}).request('GET', '/v2/info')
    await client({urls: [b.url, a.url.replace('http://', 'http://alice:pw1@')]}).request('GET', '/v2/info')
    await client({urls: [b.url.replace('http://', 'http://bob:pw2@')]}).request('GET', '/v2/info')
    await client({urls: [b.url.replace('http://', 'http://bob:pw2@')], auth: BasicAuth.fromPair('carol:pw3')}).request('GET', '/v2/info')
    expect(a.requests.map((r) => r.headers['authorization'])).toEqual([basic('alice:pw1')])
    expect(b.requests.map((r) => r.headers['authorization'])).toEqual([undefined, basic('bob:pw2'), basic('carol:pw3')])
    // The event stream asks for the explicit credentials only, and adds each URL's own itself.
    expect(await client({urls: [a.url.replace('http://', 'http://alice:pw1@'), b.url]}).authorization()).toBeUndefined()
    expect(await client({urls: [b.url], auth: BasicAuth.fromPair('carol:pw3')}).authorization()).toBe(basic('carol:pw3'))
  })

  it('shows the control characters of Marathon\'s message escaped (no forged log line)', async () => {
    const s = await serve(() => ({status: 500, body: JSON.stringify({message: 'boom\nmlb: all good \u001b[2J'})}))
    const err = await marathonError(client({urls: [s.url]}).getApps())
    expect(err.message).toBe(`Marathon ${s.url} answered HTTP 500: boom\\nmlb: all good \\u001b[2J`)
  })

  it('rejects URLs that are not http(s)', () => {
    expect(() => new MarathonClient({urls: ['ftp://x']})).toThrow('invalid Marathon URL (not http or https): ftp://x')
    expect(() => new MarathonClient({urls: ['not a url']})).toThrow('invalid Marathon URL: not a url')
  })
})
