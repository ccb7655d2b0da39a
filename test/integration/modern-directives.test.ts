/**
 * marathon-lb emits `rspadd`/`reqirep`/`rspirep` for HSTS, proxypass and revproxy, which
 * HAProxy 2.1+ rejects; mlb emits `http-response set-header`, `http-request replace-path` and
 * `http-response replace-header` (spec §4.6). This test proves the replacement: the generated
 * config passes `haproxy -c`, and a request through a real HAProxy shows the HSTS header, the
 * rewritten path at the backend and the rewritten Location header.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer as createHttpServer, request, type IncomingHttpHeaders, type Server} from 'node:http'
import {createServer as createNetServer, connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {generateConfig, type GenerateOptions} from '../../src/generate.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import type {TemplateGlobals} from '../../src/templates/template-set.js'
import {app, host, id, labels, marathon, portDefs, ports, task, tasks} from '../builders.js'

const HAPROXY = '/usr/sbin/haproxy'
const LUA_SERVICES: Record<string, string[]> = {
  getpids: ['getpids'], getconfig: ['getconfig'], getmaps: ['getvhostmap', 'getappmap'], signalmlb: ['signalmlbhup', 'signalmlbusr1'],
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number}
      srv.close(() => resolve(port))
    })
  })
}

/** Resolves once `port` accepts a TCP connection (bounded: about 10 s). */
async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`port ${port} never opened`)
}

function get(port: number, host: string, path: string): Promise<{status: number; headers: IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path, headers: {Host: host}, agent: false}, (res) => {
      res.resume()
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers}))
    })
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')))
    req.once('error', reject)
    req.end()
  })
}

function haproxyCheck(cfgFile: string): {ok: boolean; output: string} {
  try {
    return {ok: true, output: execFileSync(HAPROXY, ['-c', '-f', cfgFile], {encoding: 'utf8', stdio: 'pipe'})}
  } catch (err) {
    const e = err as {stdout?: string; stderr?: string}
    return {ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`}
  }
}

describe('modern directives through a real HAProxy', () => {
  let dir = ''
  let globals: TemplateGlobals
  let certFile = ''
  let backend: Server | undefined
  let backendPort = 0
  const seenPaths: string[] = []
  let haproxy: ChildProcess | undefined

  beforeAll(async () => {
    if (!existsSync(HAPROXY)) throw new Error('haproxy is missing: apt-get install -y haproxy')
    dir = mkdtempSync(join(tmpdir(), 'mlb-modern-'))
    mkdirSync(join(dir, 'lua'))
    mkdirSync(join(dir, 'state'))
    for (const [file, services] of Object.entries(LUA_SERVICES)) {
      const body = services.map((s) => `core.register_service("${s}", "http", function(applet) applet:set_status(200) applet:start_response() end)\n`).join('')
      writeFileSync(join(dir, 'lua', `${file}.lua`), body)
    }
    const key = join(dir, 'key.pem')
    const crt = join(dir, 'crt.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', crt], {stdio: 'pipe'})
    certFile = join(dir, 'cert.pem')
    writeFileSync(certFile, readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'))
    const [stats, http, https, appId] = [await freePort(), await freePort(), await freePort(), await freePort()]
    globals = {
      luaDir: join(dir, 'lua'), statsSocket: join(dir, 'haproxy.sock'), serverStateBase: `${join(dir, 'state')}/`,
      maxconn: '50000', extraGlobal: '',
      statsBind: `127.0.0.1:${stats}`, httpBind: `127.0.0.1:${http}`, httpsBind: `127.0.0.1:${https}`, appIdBind: `127.0.0.1:${appId}`,
    }
    backend = createHttpServer((req, res) => {
      seenPaths.push(req.url ?? '')
      if (req.url?.startsWith('/moved')) res.setHeader('Location', 'http://rev.example.com/somewhere/else')
      res.end('ok')
    })
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve))
    backendPort = (backend.address() as {port: number}).port
  })

  afterAll(async () => {
    if (haproxy !== undefined && haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy?.once('exit', r))
      haproxy.kill('SIGTERM')
      await exited
    }
    await new Promise((r) => (backend === undefined ? r(undefined) : backend.close(r)))
    if (dir !== '') rmSync(dir, {recursive: true, force: true})
  })

  function options(o: Partial<GenerateOptions> = {}): GenerateOptions {
    return {
      groups: ['*'], strictMode: false, healthCheck: false, haproxyMap: false, dontBindHttpHttps: false, groupHttpsByVhost: false,
      sslCerts: [certFile], haproxyDir: `${dir}/`, servicePortRange: undefined, frameworkName: undefined, ...o,
    }
  }

  for (const name of ['t-http-backend-glue-vhost', 't-http-backend-glue-no-vhost', 't-vhost-path-redirect-hsts', 'tpl-redirect-hsts-glue']) {
    it(`the ${name} vector's configuration passes haproxy -c`, () => {
      const caseDir = join(import.meta.dirname, '..', '..', 'fixtures', 'conformance', name)
      const envFile = join(caseDir, 'env')
      const envLines = existsSync(envFile) ? readFileSync(envFile, 'utf8').split('\n').filter((l) => l !== '') : []
      const env = Object.fromEntries(envLines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      const out = generateConfig({
        marathon: JSON.parse(readFileSync(join(caseDir, 'apps.json'), 'utf8')) as unknown,
        options: options(), templates: loadTemplateSet({env, cwd: caseDir, globals}), hostIps: new Map(),
      })
      expect(out.config).not.toMatch(/^\s*(rspadd|reqirep|rspirep)\b/m)
      const file = join(dir, `${name}.cfg`)
      writeFileSync(file, out.config)
      const check = haproxyCheck(file)
      expect(check.output).not.toMatch(/\[ALERT\]/)
      expect(check.ok).toBe(true)
    })
  }

  it('adds HSTS, strips the proxypass prefix and rewrites Location', async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()]
    const svc = (appId: string, port: number, l: Record<string, string>): ReturnType<typeof app> =>
      app(id(appId), portDefs(port), labels({HAPROXY_0_BIND_ADDR: '127.0.0.1', ...l}), tasks(task(host('127.0.0.1'), ports(backendPort))))
    const state = marathon(
      svc('/hsts', p1, {HAPROXY_0_VHOST: 'hsts.example.com', HAPROXY_0_USE_HSTS: 'true'}),
      svc('/proxy', p2, {HAPROXY_0_VHOST: 'proxy.example.com', HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: '/api'}),
      svc('/rev', p3, {HAPROXY_0_VHOST: 'rev.example.com', HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: '/root'}),
    )
    const out = generateConfig({marathon: state, options: options(), templates: loadTemplateSet({env: {}, cwd: dir, globals}), hostIps: new Map()})
    expect(out.skipped).toEqual([])
    const cfgFile = join(dir, 'haproxy.cfg')
    writeFileSync(cfgFile, out.config)
    const check = haproxyCheck(cfgFile)
    expect(check.output).not.toMatch(/\[ALERT\]/)
    expect(check.ok).toBe(true)

    // The default HEAD asks for maxconn 50000, more file descriptors than this sandbox allows;
    // the running copy lowers only that line (the checked file above is the untouched output).
    const runFile = join(dir, 'haproxy-run.cfg')
    writeFileSync(runFile, out.config.replace('\n  maxconn 50000\n', '\n  maxconn 2000\n'))
    haproxy = spawn(HAPROXY, ['-f', runFile], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    haproxy.stderr?.on('data', (b: Buffer) => { stderr += b.toString() })
    const httpPort = Number(globals.httpBind.split(':')[1])
    await waitForPort(httpPort, haproxy).catch((err: unknown) => { throw new Error(`${String(err)}\n${stderr}`) })

    const hsts = await get(httpPort, 'hsts.example.com', '/')
    expect(hsts.status).toBe(200)
    expect(hsts.headers['strict-transport-security']).toBe('max-age=15768000')

    const proxied = await get(httpPort, 'proxy.example.com', '/api/items?q=1')
    expect(proxied.status).toBe(200)
    expect(seenPaths.at(-1)).toBe('/items?q=1')
    await get(httpPort, 'PROXY.example.com', '/API/x')
    expect(seenPaths.at(-1)).toBe('/x')

    const moved = await get(httpPort, 'rev.example.com', '/moved')
    expect(seenPaths.at(-1)).toBe('/moved')
    // marathon-lb's rspirep replaced the whole Location line with the root path; so does mlb.
    expect(moved.headers.location).toBe('/root')
    const plain = await get(httpPort, 'rev.example.com', '/plain')
    expect(plain.headers.location).toBeUndefined()
  })
})
