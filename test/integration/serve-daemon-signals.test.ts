/**
 * The built `mlb serve` as a child process (issue 4 "Endpoints and signals"): SIGHUP resyncs,
 * SIGUSR1 reloads, `/_mlb_signal/hup|usr1` reach mlb through its pid file, `/_haproxy_getpids`
 * shows one master and one worker (one more while an old worker drains a held-open request, back
 * to two after `--hard-stop-after`), `/_haproxy_getconfig` and the map endpoints answer, and
 * SIGTERM stops everything with exit status 0. Needs `npm run build`.
 */
import type {ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {request} from 'undici'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/index.js'
import {until} from '../daemon-harness.js'
import {makeServeFolder, serveArgs, spawnServe, startWebSimulator, type ServeLine} from '../serve-cli.js'
import {alive} from '../wait.js'

const SERVICE_PORTS = {min: 21500, max: 21599}
const TASK_PORTS = {min: 23200, max: 23399}
const HARD_STOP_AFTER = 3

describe('mlb serve (built CLI): signals and the :9090 endpoints', () => {
  let sim: Simulator
  let dir: string
  let child: ChildProcess
  let exited: Promise<number | null>
  let lines: ServeLine[] = []
  let stats = 0
  const count = (re: RegExp): number => lines.filter((l) => re.test(l.msg)).length
  const get = async (path: string): Promise<{status: number; body: string}> => {
    const res = await request(`http://127.0.0.1:${stats}${path}`, {headers: {connection: 'close'}, reset: true, headersTimeout: 5000, bodyTimeout: 5000})
    return {status: res.statusCode, body: await res.body.text()}
  }
  const pids = async (): Promise<number[]> => (await get('/_haproxy_getpids')).body.trim().split(/\s+/).map(Number)

  beforeAll(async () => {
    sim = await startWebSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS})
    const folder = await makeServeFolder('mlb-serve-sig-')
    dir = folder.dir
    stats = folder.ports.stats
    const m = spawnServe([...serveArgs(sim.url, folder), '--haproxy-map', '--hard-stop-after', String(HARD_STOP_AFTER), '--archive-versions', '2'], dir)
    ;({child, exited, lines} = m)
    await until(() => count(/^mlb serve is running$/) > 0 || child.exitCode !== null, 30_000, 'daemon running')
    expect(child.exitCode).toBeNull()
  }, 60_000)

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await sim?.stop()
    if (dir !== undefined) await rm(dir, {recursive: true, force: true})
  }, 30_000)

  it('serves /_haproxy_getpids, /_haproxy_getconfig and the maps', async () => {
    expect(await pids()).toHaveLength(2)
    const config = await get('/_haproxy_getconfig')
    expect(config.body).toBe(await readFile(join(dir, 'haproxy.cfg'), 'utf8'))
    expect((await get('/_haproxy_getvhostmap')).body).toMatch(/^web\.test\s+web_\d+$/m)
    expect((await get('/_haproxy_getappmap')).body).toMatch(/^\/web\s+web_\d+$/m)
  })

  it('resyncs on SIGHUP and on /_mlb_signal/hup', async () => {
    const hups = count(/^received SIGHUP/)
    const resyncs = lines.filter((l) => l.msg === 'resync done' && String(l['reasons']).includes('signal')).length
    process.kill(child.pid!, 'SIGHUP')
    await until(() => count(/^received SIGHUP/) === hups + 1, 5000, 'SIGHUP received')
    const res = await get('/_mlb_signal/hup')
    expect(res).toEqual({status: 200, body: 'Sent SIGHUP signal to marathon-lb'})
    await until(() => count(/^received SIGHUP/) === hups + 2, 5000, '/_mlb_signal/hup received')
    await until(() => lines.filter((l) => l.msg === 'resync done' && String(l['reasons']).includes('signal')).length > resyncs, 5000, 'signal resync')
  })

  it('reloads the current config on SIGUSR1 and on /_mlb_signal/usr1', async () => {
    const reloads = count(/^reloaded HAProxy$/)
    process.kill(child.pid!, 'SIGUSR1')
    await until(() => count(/^reloaded HAProxy$/) === reloads + 1, 10_000, 'SIGUSR1 reload')
    expect((await get('/_mlb_signal/usr1')).body).toBe('Sent SIGUSR1 signal to marathon-lb')
    await until(() => count(/^reloaded HAProxy$/) === reloads + 2, 10_000, '/_mlb_signal/usr1 reload')
  })

  it('shows an old worker while it drains a held-open request, and stops it after --hard-stop-after', async () => {
    await until(async () => (await pids()).length === 2, 10_000, 'idle: master and one worker')
    const port = sim.engine.store.apps.get('/web')!.def.portDefinitions[0]!.port
    // Held open by the task for 30 s: the old worker must drain it (or be stopped).
    const held = request(`http://127.0.0.1:${port}/?sleep=30000`, {headersTimeout: 40_000, bodyTimeout: 40_000}).then((r) => r.body.text(), (e: unknown) => e)
    await new Promise((r) => setTimeout(r, 300))
    const reloads = count(/^reloaded HAProxy$/)
    await get('/_mlb_signal/usr1')
    await until(() => count(/^reloaded HAProxy$/) > reloads, 10_000, 'reload')
    await until(async () => (await pids()).length === 3, 5000, 'an old worker drains')
    const ms = await until(async () => (await pids()).length === 2, (HARD_STOP_AFTER + 5) * 1000, 'old worker stopped')
    console.log(`old worker stopped ${ms} ms after it was seen draining (--hard-stop-after ${HARD_STOP_AFTER})`)
    // mlb logs right after its SIGTERM, but the line reaches this process through a pipe, and
    // on a busy machine it can arrive after the worker's pid is already gone from the list.
    await until(() => count(/^stopped an old HAProxy worker past --hard-stop-after$/) > 0, 5000, 'the stop logged')
    await held
  }, 30_000)

  it('stops HAProxy and exits 0 on SIGTERM, removing its pid file', async () => {
    const haproxy = await pids()
    child.kill('SIGTERM')
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))])
    expect(code).toBe(0)
    expect(existsSync(join(dir, 'mlb.pid'))).toBe(false)
    await until(() => haproxy.every((p) => !alive(p)), 5000, 'HAProxy gone')
    expect(count(/^mlb serve stopped$/)).toBe(1)
  }, 30_000)
})
