import {spawn, type ChildProcess} from 'node:child_process'
import {createServer, type Server, type ServerResponse} from 'node:http'
import {readFile, rm, writeFile} from 'node:fs/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {request} from 'undici'
import {systemClock} from '../../src/clock.js'
import {createMasterReloader} from '../../src/haproxy/reload.js'
import {waitFor} from '../../src/haproxy/wait.js'
import {freePort, httpProxy, startTestHaproxy, type TestHaproxy} from '../haproxy-harness.js'

let h: TestHaproxy
let proxyPort = 0
let slow: Server
const held: ServerResponse[] = []

async function get(path: string): Promise<{status: number; type: string | undefined; length: string | undefined; body: string}> {
  // A fresh connection per request: a kept-alive one may still be served by a draining worker.
  const res = await request(h.statsUrl(path), {headersTimeout: 5000, bodyTimeout: 5000, reset: true, headers: {connection: 'close'}})
  const body = await res.body.text()
  const header = (n: string): string | undefined => {
    const v = res.headers[n]
    return Array.isArray(v) ? v[0] : v
  }
  return {status: res.statusCode, type: header('content-type'), length: header('content-length'), body}
}

const until = <T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> =>
  waitFor(probe, {clock: systemClock, timeoutMs, intervalMs: 50})

beforeAll(async () => {
  // A backend that holds every response open until the test releases it: one in-flight
  // request keeps an old worker draining after a reload.
  slow = createServer((_req, res) => held.push(res))
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
  const addr = slow.address()
  if (addr === null || typeof addr === 'string') throw new Error('no port')
  proxyPort = await freePort()
  h = await startTestHaproxy({body: httpProxy('slow', proxyPort, [`127.0.0.1:${addr.port}`])})
})

afterAll(async () => {
  for (const r of held.splice(0)) r.end('late')
  await h?.stop()
  slow.closeAllConnections()
  await new Promise<void>((r) => slow.close(() => r()))
})

describe(':9090 endpoints of the default HEAD (real HAProxy + mlb Lua)', () => {
  it('/_haproxy_getpids: one master and one worker when idle, more while an old worker drains', async () => {
    const idle = await h.supervisor.status()
    const r = await get('/_haproxy_getpids')
    expect(r).toMatchObject({status: 200, type: 'text/plain', length: String(r.body.length)})
    expect(r.body).toBe(`${idle.masterPid} ${idle.workers[0]?.pid}`)

    const inflight = request(`http://127.0.0.1:${proxyPort}/hold`, {headersTimeout: 30_000}).then((res) => res.body.text())
    expect(await until(async () => (held.length === 1 ? true : undefined))).toBe(true)
    const reload = await createMasterReloader(h.masterSocket, {reloadIntervalMs: 5000}).reload()
    expect(reload).toMatchObject({ok: true, confirmed: true, attempts: 1})
    const draining = await h.supervisor.status()
    expect(draining.oldWorkers.map((w) => w.pid)).toEqual([idle.workers[0]?.pid])
    const pids = (await get('/_haproxy_getpids')).body.split(' ').map(Number)
    expect(pids[0]).toBe(idle.masterPid)
    expect([...pids].sort()).toEqual([draining.masterPid, reload.worker, ...draining.oldWorkers.map((w) => w.pid)].sort())

    held.shift()?.end('done')
    expect(await inflight).toBe('done')
    const drained = await until(async () => ((await get('/_haproxy_getpids')).body.split(' ').length === 2 ? true : undefined))
    expect(drained).toBe(true)
    expect((await h.supervisor.status()).oldWorkers).toEqual([])
  })

  it('/_haproxy_getconfig: the loaded configuration, and the new one after a reload', async () => {
    const first = await get('/_haproxy_getconfig')
    expect(first).toMatchObject({status: 200, type: 'text/plain', body: await readFile(h.configFile, 'utf8')})
    const next = `${first.body}# revision 2\n`
    await writeFile(h.configFile, next)
    // Still the loaded one until HAProxy reloads: the endpoint reads the file at load time.
    expect((await get('/_haproxy_getconfig')).body).toBe(first.body)
    expect((await createMasterReloader(h.masterSocket).reload()).ok).toBe(true)
    expect((await get('/_haproxy_getconfig')).body).toBe(next)
  })

  it('/_haproxy_getvhostmap and /_haproxy_getappmap: the map files next to the config, read per request', async () => {
    expect(await get('/_haproxy_getvhostmap')).toMatchObject({status: 200, type: 'text/plain', length: '0', body: ''})
    await writeFile(`${h.dir}/domain2backend.map`, 'a.example.com web_10000\n')
    await writeFile(`${h.dir}/app2backend.map`, '/web web_10000\n')
    expect(await get('/_haproxy_getvhostmap')).toMatchObject({status: 200, length: '24', body: 'a.example.com web_10000\n'})
    expect(await get('/_haproxy_getappmap')).toMatchObject({status: 200, body: '/web web_10000\n'})
  })

  it('/_mlb_signal/hup and /usr1 signal the process named by MLB_PID_FILE; 500 without it', async () => {
    await rm(h.mlbPidFile, {force: true})
    expect(await get('/_mlb_signal/hup')).toEqual({
      status: 500,
      type: 'text/plain',
      length: '97',
      body: "Failed to send SIGHUP signal to marathon-lb (exit code 1). Is marathon-lb running in 'poll' mode?",
    })
    const child: ChildProcess = spawn(process.execPath, ['-e', `
      for (const s of ['SIGHUP', 'SIGUSR1']) process.on(s, () => console.log(s));
      console.log('ready'); setTimeout(() => {}, 30000)`], {stdio: ['ignore', 'pipe', 'inherit']})
    const lines: string[] = []
    child.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n')))
    try {
      expect(await until(async () => (lines.includes('ready') ? true : undefined))).toBe(true)
      await writeFile(h.mlbPidFile, `${child.pid}\n`)
      expect(await get('/_mlb_signal/hup')).toMatchObject({status: 200, body: 'Sent SIGHUP signal to marathon-lb'})
      expect(await get('/_mlb_signal/usr1')).toMatchObject({status: 200, body: 'Sent SIGUSR1 signal to marathon-lb'})
      expect(await until(async () => (lines.includes('SIGUSR1') ? true : undefined))).toBe(true)
      expect(lines).toEqual(['ready', 'SIGHUP', 'SIGUSR1'])
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('stats CSV, health check and Prometheus metrics', async () => {
    const csv = await get('/haproxy?stats;csv')
    expect(csv.status).toBe(200)
    expect(csv.body.startsWith('# pxname,svname,')).toBe(true)
    expect(csv.body).toContain('slow,slow_0,')
    expect(await get('/_haproxy_health_check')).toMatchObject({status: 200})
    const metrics = await get('/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.body).toMatch(/^haproxy_process_nbthread \d+$/m)
    expect(metrics.body).toContain('haproxy_backend_status{proxy="slow",state="UP"}')
  })
})
