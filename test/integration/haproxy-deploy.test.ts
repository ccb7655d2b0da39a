import {readFile, readdir, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {request} from 'undici'
import {systemClock} from '../../src/clock.js'
import {createDeployer, deployConfig, reloadCurrentConfig, type DeployOptions} from '../../src/haproxy/deploy.js'
import {showProc} from '../../src/haproxy/master.js'
import {createCommandReloader, createMasterReloader} from '../../src/haproxy/reload.js'
import {defaultLayout, type ConfigFiles} from '../../src/haproxy/stage.js'
import {freePort, httpProxy, startTestHaproxy, type TestHaproxy} from '../haproxy-harness.js'
import {startBackend, type Backend} from '../load-generator.js'

let h: TestHaproxy
let be: Backend
let head = ''
let port = 0

const files = (config: string, domainMap = '', appMap = ''): ConfigFiles => ({config, domainMap, appMap})
const cfg = (rev: number): string => `${head}${httpProxy('web', port, [`127.0.0.1:${be.port}`])}# revision ${rev}\n`

function options(over: Partial<DeployOptions> = {}): DeployOptions {
  return {
    layout: defaultLayout(h.configFile, false),
    skipValidation: false,
    archive: {dir: join(h.dir, 'archive'), versions: 3},
    serverState: {file: h.serverStateFile, statsSocket: h.statsSocket},
    reloader: createMasterReloader(h.masterSocket, {reloadIntervalMs: 5000, maxReloadRetries: 2}),
    clock: systemClock,
    ...over,
  }
}

async function throughProxy(): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}/`, {reset: true, headers: {connection: 'close'}})
  return res.body.text()
}

const tempLeftovers = async (): Promise<string[]> => (await readdir(h.dir)).filter((f) => f.includes('.mlb-'))

beforeAll(async () => {
  be = await startBackend('from-backend')
  port = await freePort()
  h = await startTestHaproxy()
  head = await readFile(h.configFile, 'utf8')
  const {mkdir} = await import('node:fs/promises')
  await mkdir(join(h.dir, 'archive'))
  const first = await deployConfig(files(cfg(1)), options())
  expect(first).toMatchObject({changed: true, valid: true, written: true, reloaded: true})
})

afterAll(async () => {
  await h?.stop()
  await be?.close()
})

describe('deployConfig (real HAProxy)', () => {
  it('unchanged bytes: no write, no reload', async () => {
    const before = await showProc(h.masterSocket)
    const mtime = (await stat(h.configFile)).mtimeMs
    const r = await deployConfig(files(cfg(1)), options())
    expect(r).toMatchObject({changed: false, valid: true, written: false, reloaded: false, errors: []})
    expect((await stat(h.configFile)).mtimeMs).toBe(mtime)
    expect((await showProc(h.masterSocket)).master.reloads).toBe(before.master.reloads)
  })

  it('changed: validated, archived, moved into place, server state saved, reload confirmed by show proc', async () => {
    const before = await showProc(h.masterSocket)
    const r = await deployConfig(files(cfg(2)), options())
    expect(r).toMatchObject({changed: true, valid: true, written: true, reloaded: true, serverStateSaved: true, errors: []})
    expect(r.reload).toMatchObject({ok: true, confirmed: true, attempts: 1})
    const after = await showProc(h.masterSocket)
    expect(after.master.reloads).toBe(before.master.reloads + 1)
    expect(after.workers.map((w) => w.pid)).toEqual([r.reload?.worker])
    expect(await readFile(h.configFile, 'utf8')).toBe(cfg(2))
    expect(await readFile(join(h.dir, 'archive', 'hap_cfg.1'), 'utf8')).toBe(cfg(2))
    const state = await readFile(h.serverStateFile, 'utf8')
    expect(state).toMatch(/^1\n# be_id be_name srv_id srv_name/)
    expect(state).toMatch(/ web \d+ web_0 127\.0\.0\.1 /)
    expect(await throughProxy()).toBe('from-backend')
    expect(await tempLeftovers()).toEqual([])
    console.log(`deploy durations (ms): ${JSON.stringify(r.durations)}`)
  })

  it('invalid: the running config and HAProxy stay untouched; the rejected file is saved aside', async () => {
    const before = await showProc(h.masterSocket)
    const failed = join(h.dir, 'haproxy_tmp_conf_fail')
    const bad = `${cfg(3)}backend broken\n  not-a-keyword\n`
    const r = await deployConfig(files(bad), options({failedConfigFile: failed}))
    expect(r).toMatchObject({changed: true, valid: false, written: false, reloaded: false, failedConfigFile: failed})
    expect(r.validation?.errors[0]).toMatchObject({line: bad.split('\n').length - 1, message: "unknown keyword 'not-a-keyword' in 'backend' section"})
    expect(r.errors[0]).toMatch(/invalid configuration kept out of HAProxy: line \d+: unknown keyword/)
    expect(await readFile(h.configFile, 'utf8')).toBe(cfg(2))
    expect(await readFile(failed, 'utf8')).toBe(bad)
    expect(await readFile(`${failed}.err`, 'utf8')).toMatch(/not-a-keyword/)
    expect(await readFile(join(h.dir, 'archive', 'haproxy_temp_config_fail.1'), 'utf8')).toBe(bad)
    const after = await showProc(h.masterSocket)
    expect(after.master).toEqual({...before.master, uptimeSec: after.master.uptimeSec})
    expect(after.workers.map((w) => w.pid)).toEqual(before.workers.map((w) => w.pid))
    expect(await throughProxy()).toBe('from-backend')
    expect(await tempLeftovers()).toEqual([])
  })

  it('archive rotation keeps --archive-versions copies, newest in .1', async () => {
    for (const rev of [4, 5, 6, 7]) expect((await deployConfig(files(cfg(rev)), options({reloader: undefined}))).written).toBe(true)
    const dir = join(h.dir, 'archive')
    expect((await readdir(dir)).filter((f) => f.startsWith('hap_cfg.')).sort()).toEqual(['hap_cfg.1', 'hap_cfg.2', 'hap_cfg.3'])
    expect(await readFile(join(dir, 'hap_cfg.1'), 'utf8')).toBe(cfg(7))
    expect(await readFile(join(dir, 'hap_cfg.3'), 'utf8')).toBe(cfg(5))
  })

  it('map mode: new maps are validated through temp copies and moved into place with the real paths', async () => {
    const layout = defaultLayout(h.configFile, true)
    const mapped = `${cfg(8)}frontend vhosts\n  bind 127.0.0.1:${await freePort()}\n  mode http\n  use_backend %[req.hdr(host),lower,map(${layout.domainMapFile})]\n`
    const r = await deployConfig(files(mapped, 'a.example.com web\n', '/web web\n'), options({layout}))
    expect(r).toMatchObject({valid: true, written: true, reloaded: true})
    expect(await readFile(h.configFile, 'utf8')).toBe(mapped)
    expect(await readFile(layout.domainMapFile, 'utf8')).toBe('a.example.com web\n')
    expect(await readFile(join(h.dir, 'archive', 'app_map.1'), 'utf8')).toBe('/web web\n')
    const vhostmap = await request(h.statsUrl('/_haproxy_getvhostmap'), {reset: true})
    expect(await vhostmap.body.text()).toBe('a.example.com web\n')
    // Only a map changes: still a change, deployed and reloaded.
    const r2 = await deployConfig(files(mapped, 'a.example.com web\nb.example.com web\n', '/web web\n'), options({layout}))
    expect(r2).toMatchObject({changed: true, reloaded: true})
    expect(await tempLeftovers()).toEqual([])
  })

  it('HAProxy rejecting a reload (with --skip-validation) is reported from show proc, old worker keeps serving', async () => {
    const before = await showProc(h.masterSocket)
    const r = await deployConfig(files(`${cfg(9)}backend x\n  nonsense-here\n`), options({skipValidation: true}))
    expect(r).toMatchObject({valid: true, written: true, reloaded: false})
    expect(r.reload).toMatchObject({ok: false, confirmed: true, attempts: 1})
    expect(r.errors[0]).toMatch(/HAProxy rejected the new configuration \(failed reloads: \d+\)/)
    expect((await showProc(h.masterSocket)).workers.map((w) => w.pid)).toEqual(before.workers.map((w) => w.pid))
    expect(await throughProxy()).toBe('from-backend')
    // Put a good config back for the next tests.
    expect((await deployConfig(files(cfg(10)), options())).reloaded).toBe(true)
  })

  it('reloadCurrentConfig (SIGUSR1): validates the file in place and reloads; refuses an invalid one', async () => {
    const before = await showProc(h.masterSocket)
    const ok = await reloadCurrentConfig(options())
    expect(ok).toMatchObject({valid: true, reloaded: true, serverStateSaved: true})
    expect((await showProc(h.masterSocket)).master.reloads).toBe(before.master.reloads + 1)
    await writeFile(h.configFile, `${cfg(10)}bogus\n`)
    const bad = await reloadCurrentConfig(options())
    expect(bad).toMatchObject({valid: false, reloaded: false})
    expect((await showProc(h.masterSocket)).master.reloads).toBe(before.master.reloads + 1)
    await writeFile(h.configFile, cfg(10))
  })

  it('a deployer runs overlapping calls one after the other', async () => {
    const d = createDeployer(options())
    const [a, b] = await Promise.all([d.deploy(files(cfg(11))), d.deploy(files(cfg(12)))])
    expect([a.reloaded, b.reloaded]).toEqual([true, true])
    expect(await readFile(h.configFile, 'utf8')).toBe(cfg(12))
  })
})

describe('external --command reloader (marathon-lb compatible)', () => {
  it('runs the command without a shell; confirms through the master socket when given', async () => {
    const master = (await showProc(h.masterSocket)).master.pid
    // SIGUSR2 to the master is HAProxy's own reload signal: a realistic external command.
    const confirmed = await createCommandReloader({command: `kill -USR2 ${master}`, masterSocket: h.masterSocket, reloadIntervalMs: 5000}).reload()
    expect(confirmed).toMatchObject({ok: true, confirmed: true, attempts: 1})
    const unconfirmed = await createCommandReloader({command: `kill -USR2 ${master}`}).reload()
    expect(unconfirmed).toMatchObject({ok: true, confirmed: false, attempts: 1})
    const failing = await createCommandReloader({command: "sh -c 'echo nope >&2; exit 3'"}).reload()
    expect(failing).toMatchObject({ok: false, attempts: 1})
    expect(failing.error).toMatch(/exit status 3: nope/)
  })

  it('keeps --max-reload-retries semantics; 0 never re-issues and gives up after one interval', async () => {
    const noop = (max: number) => createCommandReloader({command: 'true', masterSocket: h.masterSocket, maxReloadRetries: max, reloadIntervalMs: 300})
    const zero = await noop(0).reload()
    expect(zero).toMatchObject({ok: false, confirmed: false, attempts: 1})
    expect(zero.durationMs).toBeGreaterThanOrEqual(290)
    expect(zero.durationMs).toBeLessThan(3000)
    const three = await noop(3).reload()
    expect(three).toMatchObject({ok: false, attempts: 3})
    expect(three.error).toMatch(/no new HAProxy worker after 3 reload\(s\)/)
  })
})
