/**
 * The demo behind `bash scripts/demo.sh`: the Marathon simulator with three sample apps,
 * `mlb serve` driving a real HAProxy on unprivileged loopback ports, requests through a vhost, a
 * TCP service port and a health-checked bridge app, a scale-up whose new servers take traffic,
 * then a `mlb zdd` blue/green deploy under load. Everything it starts is stopped at the end,
 * also on Ctrl-C or a failure.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {createInterface} from 'node:readline'
import {request} from 'undici'

import {generateSelfSignedCert} from '../src/serve/container-cert.js'

const ROOT = resolve(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin', 'run.js')
const started = Date.now()
const children: ChildProcess[] = []
const work = mkdtempSync(join(tmpdir(), 'mlb-demo-'))

function say(msg: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5)
  process.stdout.write(`[demo ${t}s] ${msg}\n`)
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => ok(port))
    })
    s.on('error', fail)
  })
}

/** Starts `mlb <args>`; its output goes to a log file in the work dir. */
function mlb(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  children.push(child)
  const log = join(work, `${name}.log`)
  child.stderr?.on('data', (b: Buffer) => writeFileSync(log, b, {flag: 'a'}))
  return child
}

async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({input: child.stdout!})
  for await (const line of rl) return line
  throw new Error('process ended before printing its URL')
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface TaskAnswer {
  readonly appId: string
  readonly version: string
  readonly taskId: string
  readonly port: number
}

/**
 * One request on a fresh connection (`reset`: Connection: close), as `ab` without `-k`: a reused
 * keep-alive connection can race with the old HAProxy worker closing it at a reload, which HTTP
 * clients must absorb themselves (RFC 9112 §9.3.1); this demo counts the load balancer's failures.
 */
async function get(url: string, host?: string): Promise<{status: number; body: string}> {
  const res = await request(url, {headers: host ? {host} : {}, headersTimeout: 5000, bodyTimeout: 5000, reset: true})
  return {status: res.statusCode, body: await res.body.text()}
}

async function viaHttp(url: string, host?: string): Promise<TaskAnswer | undefined> {
  const r = await get(url, host)
  return r.status === 200 ? (JSON.parse(r.body) as TaskAnswer) : undefined
}

async function viaTcp(port: number): Promise<TaskAnswer> {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => s.write('hello\n'))
    let buf = ''
    s.setTimeout(5000, () => s.destroy(new Error('tcp timeout')))
    s.on('data', (b) => {
      buf += b.toString()
      if (buf.includes('\n')) {
        s.end()
        ok(JSON.parse(buf.split('\n')[0]!) as TaskAnswer)
      }
    })
    s.on('error', fail)
  })
}

async function distinctTasks(n: number, url: string, host?: string): Promise<Set<string>> {
  const ids = new Set<string>()
  for (let i = 0; i < n; i++) {
    const a = await viaHttp(url, host)
    if (a) ids.add(a.taskId)
  }
  return ids
}

async function marathon(base: string, method: 'PUT' | 'GET', path: string, body?: unknown): Promise<unknown> {
  const res = await request(`${base}${path}`, {method, headers: {'content-type': 'application/json'}, body: body === undefined ? null : JSON.stringify(body)})
  return res.body.json()
}

function run(name: string, args: string[]): Promise<number> {
  const child = mlb(name, args)
  child.stdout?.on('data', (b: Buffer) => writeFileSync(join(work, `${name}.out`), b, {flag: 'a'}))
  return new Promise((ok) => child.on('exit', (code) => ok(code ?? 1)))
}

/** A bounded load loop through HAProxy: counts answers per app version and failures. */
function load(url: string, maxMs: number): {stop: () => Promise<{ok: number; failed: number; byApp: Record<string, number>; failures: Record<string, number>}>} {
  let stopped = false
  const totals = {ok: 0, failed: 0, byApp: {} as Record<string, number>, failures: {} as Record<string, number>}
  const fail = (why: string): void => {
    totals.failed++
    totals.failures[why] = (totals.failures[why] ?? 0) + 1
  }
  const loop = async (): Promise<void> => {
    const end = Date.now() + maxMs
    while (!stopped && Date.now() < end) {
      try {
        const r = await get(url)
        if (r.status === 200) {
          const a = JSON.parse(r.body) as TaskAnswer
          totals.ok++
          totals.byApp[a.appId] = (totals.byApp[a.appId] ?? 0) + 1
        } else fail(`HTTP ${r.status}`)
      } catch (err) {
        fail((err as {code?: string}).code ?? (err as Error).message)
      }
    }
  }
  const loops = [loop(), loop(), loop(), loop()]
  return {
    stop: async () => {
      stopped = true
      await Promise.all(loops)
      return totals
    },
  }
}

async function main(): Promise<void> {
  const [http, https, appId, stats] = [await freePort(), await freePort(), await freePort(), await freePort()]
  say('starting the Marathon simulator with 3 apps (fixtures/sim/demo-apps.json)')
  const sim = mlb('marathon-sim', ['marathon-sim', '--apps', join(ROOT, 'fixtures/sim/demo-apps.json'), '--port', '0', '--task-ports', '32100-32299'])
  const marathonUrl = await firstLine(sim)
  say(`simulator listening on ${marathonUrl}`)

  say(`starting mlb serve (HAProxy :80→${http}, :443→${https}, :9091→${appId}, :9090→${stats})`)
  const serveArgs = ['serve', '--marathon', marathonUrl, '--group', 'external', '--health-check',
    '--haproxy-config', join(work, 'haproxy.cfg'), '--syslog-socket', '/dev/null', '--log-level', 'INFO',
    '--haproxy-run-dir', join(work, 'run'), '--haproxy-state-dir', `${join(work, 'state')}/`, '--pid-file', join(work, 'mlb.pid'),
    '--http-bind', `127.0.0.1:${http}`, '--https-bind', `127.0.0.1:${https}`, '--appid-bind', `127.0.0.1:${appId}`,
    '--stats-bind', `127.0.0.1:${stats}`, '--haproxy-maxconn', '4000', '--ssl-certs', join(work, 'cert.pem')]
  await generateSelfSignedCert(join(work, 'cert.pem'))
  mlb('serve', serveArgs)
  const web = `http://127.0.0.1:${http}/`
  const first = await waitUntil('HAProxy to route web.example.com', () => viaHttp(web, 'web.example.com'))
  say(`GET http://web.example.com/ via HAProxy → ${first.appId} task ${first.taskId} (port ${first.port})`)
  say(`web: ${(await distinctTasks(8, web, 'web.example.com')).size} distinct tasks answered 8 requests`)
  const tcp = await waitUntil('the TCP service port 10001', () => viaTcp(10001))
  say(`TCP 127.0.0.1:10001 → ${tcp.appId} task ${tcp.taskId}`)
  const api = await waitUntil('api.example.com (after its health checks pass)', () => viaHttp(web, 'api.example.com'))
  say(`GET http://api.example.com/ via HAProxy → ${api.appId} (bridge networking, HTTP health check)`)
  const pids = await get(`http://127.0.0.1:${stats}/_haproxy_getpids`)
  say(`/_haproxy_getpids → ${pids.body} (master and worker)`)

  say('scaling /web from 2 to 4 instances through the Marathon API')
  const scaledAt = Date.now()
  await marathon(marathonUrl, 'PUT', '/v2/apps/web', {instances: 4})
  await waitUntil('4 distinct web tasks to answer', async () => ((await distinctTasks(12, web, 'web.example.com')).size === 4 ? true : undefined))
  say(`the 2 new tasks took traffic ${Date.now() - scaledAt} ms after the scale request`)

  await blueGreen(marathonUrl, stats)
}

async function blueGreen(marathonUrl: string, stats: number): Promise<void> {
  const app = JSON.parse(readFileSync(join(ROOT, 'fixtures/sim/nginx-bluegreen.json'), 'utf8')) as Record<string, any>
  app.instances = 3
  app.container.portMappings[0].servicePort = 10100
  app.labels.HAPROXY_DEPLOYMENT_ALT_PORT = '10101'
  app.healthChecks[0].gracePeriodSeconds = 5
  const file = join(work, 'nginx.json')
  writeFileSync(file, JSON.stringify(app))
  const zddArgs = ['zdd', '-j', file, '-m', marathonUrl, '-l', `http://127.0.0.1:${stats}`, '-f', '--step-delay', '1', '--max-wait', '30', '--syslog-socket', '/dev/null', '--log-level', 'INFO']
  say('mlb zdd: first deploy of /nginx (3 instances, service port 10100)')
  const rc1 = await run('zdd-1', zddArgs)
  if (rc1 !== 0) throw new Error(`mlb zdd exited ${rc1} (see ${work}/zdd-1.log)`)
  const svc = 'http://127.0.0.1:10100/'
  const blue = await waitUntil('/nginx-blue to be routed', () => viaHttp(svc), 40_000)
  say(`service port 10100 → ${blue.appId}`)

  say('mlb zdd: blue/green deploy of a new version while 4 clients send requests (a new connection per request)')
  const traffic = load(svc, 60_000)
  const rc2 = await run('zdd-2', zddArgs)
  await new Promise((r) => setTimeout(r, 500))
  const totals = await traffic.stop()
  if (rc2 !== 0) throw new Error(`mlb zdd exited ${rc2} (see ${work}/zdd-2.log)`)
  say(`blue/green done: ${totals.ok} requests answered, ${totals.failed} failed, by app: ${JSON.stringify(totals.byApp)}`)
  if (totals.failed > 0) say(`failures: ${JSON.stringify(totals.failures)}`)
  const after = await viaHttp(svc)
  say(`service port 10100 now → ${after?.appId ?? 'nothing'}`)
}

async function stopAll(): Promise<void> {
  say('stopping mlb serve (HAProxy with it), the simulator and its tasks')
  for (const c of [...children].reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue
    const exited = new Promise((r) => c.once('exit', r))
    c.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
}

process.once('SIGINT', () => void stopAll().then(() => process.exit(130)))
try {
  await main()
  await stopAll()
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; logs were in ${work}`)
  rmSync(work, {recursive: true, force: true})
} catch (err) {
  say(`FAILED: ${(err as Error).message}`)
  await stopAll()
  say(`logs kept in ${work}`)
  process.exitCode = 1
}
