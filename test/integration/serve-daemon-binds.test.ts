/**
 * A service port another process already holds (docs/haproxy.md "Finding bad apps by
 * bisection"): `haproxy -c` accepts the config, only the reload would fail. mlb tries the new
 * binds first, so the app holding the port is excluded like one `haproxy -c` refuses, the
 * others are deployed, and no reload fails. First the daemon's work with a fake trial bind and
 * a fake reloader (real `haproxy -c`), then the whole daemon with a real HAProxy and a real
 * listener on the port.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {parseArgs} from '../../src/cli/argparse.js'
import {SERVE_FLAGS} from '../../src/cli/serve-flags.js'
import {systemClock} from '../../src/clock.js'
import type {BindAddress, BindRefusal} from '../../src/haproxy/binds.js'
import type {DeployOptions} from '../../src/haproxy/deploy.js'
import type {Reloader} from '../../src/haproxy/reload.js'
import {defaultLayout} from '../../src/haproxy/stage.js'
import {MemoryLogger} from '../../src/log.js'
import {Metrics} from '../../src/metrics.js'
import {generateSelfSignedCert} from '../../src/serve/container-cert.js'
import {templateGlobalsFor} from '../../src/serve/daemon-haproxy.js'
import {createDaemonWork, type DaemonWork} from '../../src/serve/daemon-work.js'
import {serveOptionsFrom} from '../../src/serve/options.js'
import {startSimulator, type Simulator} from '../../src/sim/index.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {app, host, id, label, marathon, portDefs, ports, task, tasks} from '../builders.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../daemon-harness.js'
import {freePort, requireHaproxy} from '../haproxy-harness.js'

const service = (appId: string, port: number) =>
  app(id(appId), label('HAPROXY_0_BIND_ADDR', '127.0.0.1'), portDefs(port), tasks(task(host('127.0.0.1'), ports(port + 1000))))

describe('daemon work: a new bind that cannot be bound (fake trial bind)', () => {
  let dir = ''
  let configFile = ''
  let logger: MemoryLogger
  let metrics: Metrics
  let reloads = 0
  let taken = new Set<number>()
  const tried: string[] = []
  const all = marathon(service('/a', 41001), service('/x', 41004), service('/b', 41002))
  let body = all

  const fakeBind = async (b: BindAddress): Promise<BindRefusal | undefined> => {
    tried.push(b.text)
    return taken.has(b.port) ? 'EADDRINUSE' : undefined
  }
  const reloader: Reloader = {mode: 'master', reload: async () => (reloads++, {ok: true, confirmed: true, attempts: 1, durationMs: 1})}

  const work = (flags: {skipValidation?: boolean; skipConfigCleanup?: boolean} = {}): DaemonWork => {
    const argv = ['--marathon', 'http://127.0.0.1:1', '--group', '*', '--haproxy-config', configFile, '--ssl-certs', join(dir, 'cert.pem'), '--http-bind', '127.0.0.1:41080']
    const options = serveOptionsFrom(parseArgs(SERVE_FLAGS, argv), {})
    const deployOptions: DeployOptions = {
      layout: defaultLayout(configFile, false), skipValidation: flags.skipValidation === true, archive: {dir, versions: 0},
      validate: {haproxyBin: 'haproxy'}, reloader, clock: systemClock,
    }
    return createDaemonWork({
      getApps: async () => structuredClone(body), resolver: {resolveAll: async () => new Map()},
      templates: loadTemplateSet({env: {}, cwd: dir, globals: templateGlobalsFor(options.daemon)}), options: options.generate,
      skipConfigCleanup: flags.skipConfigCleanup === true, deployOptions: () => deployOptions, healthMemoryCapacity: 100,
      logger, metrics, clock: systemClock, tryBind: fakeBind,
    })
  }
  const frontends = async (): Promise<string[]> => ((await readFile(configFile, 'utf8')).match(/^frontend [a-z]+_\d+$/gm) ?? []).sort()

  beforeAll(async () => {
    requireHaproxy()
  })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-binds-'))
    configFile = join(dir, 'haproxy.cfg')
    await generateSelfSignedCert(join(dir, 'cert.pem'))
    logger = new MemoryLogger()
    metrics = new Metrics({clock: systemClock, processMetrics: false})
    reloads = 0
    taken = new Set([41004])
    tried.length = 0
    body = all
  })

  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('excludes the app whose port is taken, deploys the others with one reload, and takes it back once free', async () => {
    const w = work()
    await w.resync()
    expect(logLines(logger, /^excluded app /).map((r) => r.msg)).toEqual(['excluded app /x: 127.0.0.1:41004 is in use by another process (EADDRINUSE)'])
    expect([...w.excluded().keys()]).toEqual(['/x'])
    expect(await frontends()).toEqual(['frontend a_41001', 'frontend b_41002'])
    expect(reloads).toBe(1)
    expect(logLines(logger, /reload failed/)).toEqual([])
    expect(await metrics.registry.metrics()).toMatch(/^mlb_excluded_app\{app_id="\/x"\} 1$/m)

    // Still taken: the previously-excluded fast path confirms it with one check, nothing reloads.
    await w.resync()
    expect(logLines(logger, /^bisection done$/).at(-1)?.fields['validations']).toBe(2)
    expect(logLines(logger, /^excluded app \/x: 127\.0\.0\.1:41004 is in use/)).toHaveLength(2)
    expect(reloads).toBe(1)

    // The running config's binds are the running HAProxy's: only 41004 is tried again.
    tried.length = 0
    taken = new Set()
    await w.resync()
    expect(tried).toEqual(['127.0.0.1:41004'])
    expect(w.excluded().size).toBe(0)
    expect(await frontends()).toEqual(['frontend a_41001', 'frontend b_41002', 'frontend x_41004'])
    expect(reloads).toBe(2)
    expect(await metrics.registry.metrics()).not.toMatch(/^mlb_excluded_app\{/m)
  }, 30_000)

  it('with --skip-config-cleanup excludes nothing and keeps the running configuration', async () => {
    body = marathon(service('/a', 41001), service('/b', 41002))
    const w = work({skipConfigCleanup: true})
    await w.resync()
    const before = await readFile(configFile, 'utf8')
    body = all
    await w.resync()
    expect(await readFile(configFile, 'utf8')).toBe(before)
    expect(reloads).toBe(1)
    expect(w.excluded().size).toBe(0)
    expect(logger.messages('error')).toEqual([
      'configuration kept out of HAProxy: 127.0.0.1:41004 is in use by another process (EADDRINUSE)',
      'keeping the running configuration (--skip-config-cleanup: no app is excluded)',
    ])
  }, 30_000)

  it('with --skip-validation tries no bind', async () => {
    const w = work({skipValidation: true})
    await w.resync()
    expect(tried).toEqual([])
    expect(await frontends()).toEqual(['frontend a_41001', 'frontend b_41002', 'frontend x_41004'])
    expect(reloads).toBe(1)
  }, 30_000)
})

describe('mlb serve daemon: a service port held by another process (real HAProxy)', () => {
  let sim: Simulator
  let t: TestDaemon
  let squatter: Server | undefined
  const SERVICE_PORTS = {min: 21900, max: 21999}
  const TASK_PORTS = {min: 23800, max: 23999}

  beforeAll(async () => {
    sim = await startSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS, heartbeatMs: 1000, apps: {apps: [
      {id: '/good', cmd: 'x', instances: 1, labels: {HAPROXY_0_BIND_ADDR: '127.0.0.1'}, portDefinitions: [{port: 0}]},
    ]}})
    await sim.waitFor(() => sim.tasks().some((x) => x.state === 'TASK_RUNNING'), 20_000)
    t = await startTestDaemon({marathon: [sim.url], echo: process.env.ECHO === '1'})
    await t.daemon.idle()
  }, 60_000)

  afterAll(async () => {
    await new Promise<void>((r) => (squatter === undefined ? r() : squatter.close(() => r())))
    await t?.stop()
    await sim?.stop()
  }, 30_000)

  it('excludes the app, serves the other, never fails a reload, and serves the app once the port is free', async () => {
    const port = await freePort()
    const s = createServer((c) => c.destroy())
    squatter = s
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => resolve())
    })
    const res = await fetch(`${sim.url}/v2/apps`, {
      method: 'POST', headers: {'content-type': 'application/json'},
      body: JSON.stringify({id: '/x', cmd: 'x', instances: 1, labels: {HAPROXY_0_BIND_ADDR: '127.0.0.1'}, portDefinitions: [{port}]}),
    })
    expect(res.status).toBe(201)
    const message = `excluded app /x: 127.0.0.1:${port} is in use by another process (EADDRINUSE)`
    await until(() => logLines(t.logger, /^excluded app \/x:/).length > 0, 20_000, 'app excluded')
    await t.daemon.idle()
    expect(logLines(t.logger, /^excluded app /).map((r) => r.msg)).toContain(message)
    expect([...t.daemon.excluded().keys()]).toEqual(['/x'])
    const config = await readFile(t.configFile, 'utf8')
    expect(config).not.toMatch(/^frontend x_/m)
    const goodPort = Number(/^frontend good_(\d+)$/m.exec(config)?.[1])
    expect(JSON.parse((await t.get(goodPort)).body).appId).toBe('/good')
    const metrics = await (await fetch(`${t.daemon.metricsUrl}/metrics`)).text()
    expect(metrics).toMatch(/^mlb_excluded_app\{app_id="\/x"\} 1$/m)
    expect(logLines(t.logger, /reload failed/)).toEqual([])

    await new Promise<void>((r) => s.close(() => r()))
    squatter = undefined
    t.daemon.resync('test')
    await until(async () => /^frontend x_\d+$/m.test(await readFile(t.configFile, 'utf8')), 10_000, 'app back in the config')
    await t.daemon.idle()
    await until(async () => (await t.get(port).catch(() => ({status: 0, body: ''}))).status === 200, 10_000, 'app served on its port')
    expect(JSON.parse((await t.get(port)).body).appId).toBe('/x')
    expect(t.daemon.excluded().size).toBe(0)
    expect(await (await fetch(`${t.daemon.metricsUrl}/metrics`)).text()).not.toMatch(/^mlb_excluded_app\{/m)
    expect(logLines(t.logger, /reload failed/)).toEqual([])
  }, 60_000)
})
