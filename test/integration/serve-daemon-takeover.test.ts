/**
 * The built `mlb serve` against files an earlier mlb left (src/serve/instance.ts): a stale pid
 * file is taken over; a second daemon with the same --pid-file is refused (exit 1) and the first
 * keeps serving; after `kill -9` of mlb, the next daemon soft-stops the HAProxy master left
 * running once its own HAProxy serves, so a vhost only in the new config answers every request
 * (two masters would share the port through SO_REUSEPORT and the old one answer 503).
 * Two daemons started at the same instant: one runs, the other is refused (the start-up lock).
 * Needs `npm run build`.
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {request} from 'undici'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/index.js'
import {makeServeFolder, serveArgs, spawnServe, startWebSimulator, type ServeChild as Mlb} from '../serve-cli.js'
import {until} from '../wait.js'

const SERVICE_PORTS = {min: 21800, max: 21899}
const TASK_PORTS = {min: 23600, max: 23799}
/** The CLI's soft-stop bound (supervisor.ts default), which bounds the orphan's stop too. */
const SOFT_STOP_MS = 10_000

/** Alive and not a zombie (an unreaped process still answers kill 0). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))
  } catch {
    return false
  }
}

async function post(sim: Simulator, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
}

describe('mlb serve (built CLI): one daemon per pid file and run dir', () => {
  let sim: Simulator
  let dir: string
  let args: string[]
  let http = 0
  let stats = 0
  const started: Mlb[] = []
  /** HAProxy pids seen through our daemons: stopped in afterAll if a failing test left them. */
  const haproxyPids = new Set<number>()
  const pidFile = (): string => join(dir, 'mlb.pid')

  const startMlb = (): Mlb => {
    const m = spawnServe(args, dir)
    started.push(m)
    return m
  }
  const startRunning = async (): Promise<Mlb> => {
    const m = startMlb()
    await until(() => m.lines.some((l) => l.msg === 'mlb serve is running') || m.child.exitCode !== null, 30_000, 'daemon running')
    expect(m.child.exitCode, m.stderr).toBeNull()
    return m
  }
  const get = async (port: number, path: string, host?: string): Promise<{status: number; body: string}> => {
    try {
      const res = await request(`http://127.0.0.1:${port}${path}`, {headers: {connection: 'close', ...(host ? {host} : {})}, reset: true, headersTimeout: 5000, bodyTimeout: 5000})
      return {status: res.statusCode, body: await res.body.text()}
    } catch (err) {
      throw new Error(`GET ${port === stats ? 'stats' : 'http'} port ${port}${path}${host ? ` (Host ${host})` : ''}: ${String(err)}`, {cause: err})
    }
  }
  const haproxyOf = async (): Promise<number[]> => {
    const pids = (await get(stats, '/_haproxy_getpids')).body.trim().split(/\s+/).map(Number)
    for (const p of pids) haproxyPids.add(p)
    return pids
  }

  beforeAll(async () => {
    sim = await startWebSimulator({servicePorts: SERVICE_PORTS, taskPorts: TASK_PORTS})
    const folder = await makeServeFolder('mlb-takeover-')
    ;({dir} = folder)
    ;({http, stats} = folder.ports)
    args = serveArgs(sim.url, folder)
  }, 60_000)

  afterAll(async () => {
    for (const m of started) {
      if (m.child.exitCode !== null || m.child.signalCode !== null) continue
      m.child.kill('SIGTERM')
      await Promise.race([m.exited, new Promise((r) => setTimeout(r, 20_000))])
      if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL')
    }
    // Only when a test failed: the HAProxy an earlier daemon left (seen through its stats port,
    // and still an HAProxy of this test's folder, not a process that reused the pid).
    const ours = (p: number): boolean => running(p) && (() => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir)
      } catch {
        return false
      }
    })()
    for (const p of haproxyPids) if (ours(p)) process.kill(p, 'SIGTERM')
    await until(() => [...haproxyPids].every((p) => !running(p)), 10_000, 'HAProxy gone').catch(() => undefined)
    await sim?.stop()
    if (dir !== undefined) await rm(dir, {recursive: true, force: true})
  }, 60_000)

  it('(c) takes over a stale pid file that names a dead process, and leaves alone what a stale HAProxy pid file names', async () => {
    const dead = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'})
    await new Promise((r) => dead.on('exit', r))
    await writeFile(pidFile(), `${dead.pid}\n`)
    // A reused pid in HAProxy's pid file: a live process that is not HAProxy.
    const other = spawn('sleep', ['60'], {stdio: 'ignore'})
    try {
      await mkdir(join(dir, 'run'))
      await writeFile(join(dir, 'run', 'haproxy.pid'), `${other.pid}\n`)
      const first = await startRunning()
      expect((await readFile(pidFile(), 'utf8')).trim()).toBe(String(first.child.pid))
      expect((await get(http, '/', 'web.test')).status).toBe(200)
      expect(running(other.pid!)).toBe(true)
      expect(first.lines.some((l) => /earlier mlb|HAProxy process named/.test(l.msg))).toBe(false)
    } finally {
      other.kill('SIGTERM')
    }
  }, 60_000)

  it('(a) refuses a second daemon with the same pid file (exit 1, a message naming the file and pid), the first keeps serving', async () => {
    const first = started[0]!
    const haproxy = await haproxyOf()
    const second = startMlb()
    const code = await Promise.race([second.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))])
    expect(code, second.stderr).toBe(1)
    expect(second.stderr).toContain(`mlb serve: error: mlb serve is already running with pid file ${pidFile()} (pid ${first.child.pid})`)
    // Nothing else happened: every line is that refusal (the log line and the CLI's error line).
    expect(second.stderr.trim().split('\n').every((l) => l.includes('already running with pid file')), second.stderr).toBe(true)
    expect(first.child.exitCode).toBeNull()
    expect((await readFile(pidFile(), 'utf8')).trim()).toBe(String(first.child.pid))
    expect(await haproxyOf()).toEqual(haproxy)
    expect((await get(http, '/', 'web.test')).status).toBe(200)
  }, 60_000)

  it('(b) after kill -9 of mlb, the next daemon stops the HAProxy left running and alone serves the new config', async () => {
    const first = started[0]!
    const orphan = await haproxyOf() // master and worker
    expect(orphan).toHaveLength(2)
    first.child.kill('SIGKILL')
    await first.exited
    expect(orphan.every(running)).toBe(true) // HAProxy survives mlb: traffic goes on
    await post(sim, '/v2/apps', {id: '/new', cmd: 'x', instances: 1, labels: {HAPROXY_0_VHOST: 'new.test'}, portDefinitions: [{port: 0}]})
    await sim.waitFor(() => sim.tasks('/new').some((x) => x.state === 'TASK_RUNNING'), 10_000)
    expect((await get(http, '/', 'new.test')).status).toBe(503) // the orphan's config has no new.test

    // Requests for an app in both configs, all through the takeover: traffic never stops.
    let loading = true
    const failures: string[] = []
    let served = 0
    const load = (async () => {
      while (loading) {
        const r = await get(http, '/', 'web.test').catch((err: unknown) => ({status: String(err), body: ''}))
        if (r.status === 200) served++
        else failures.push(String(r.status))
      }
    })()
    let next: Mlb
    let ms: number
    try {
      next = await startRunning()
      ms = await until(() => orphan.every((p) => !running(p)), SOFT_STOP_MS, 'the orphan master and its worker gone')
    } finally {
      loading = false
      await load
    }
    console.log(`orphan HAProxy (master ${orphan[0]}, worker ${orphan[1]}) gone ${ms} ms after the new daemon ran; ${served} requests meanwhile`)
    expect(failures).toEqual([])
    // Confirmed as ours before the orphan was stopped: the orphan answers on master.sock until the new master binds it.
    const masterPid = next.lines.find((l) => l.msg === 'haproxy started')?.['masterPid']
    expect(masterPid).toBe(next.lines.find((l) => l.msg === 'mlb serve is running')?.['haproxyMaster'])
    expect(orphan).not.toContain(masterPid)
    expect(next.lines.filter((l) => /earlier mlb left running/.test(l.msg)).map((l) => l['pid'])).toEqual([orphan[0]])
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) statuses.push((await get(http, '/', 'new.test')).status)
    expect(statuses).toEqual(Array(20).fill(200))
    const now = await haproxyOf()
    expect(now.some((p) => orphan.includes(p))).toBe(false)
    // The master socket is the new master's: a reload through it still works.
    const reloads = next.lines.filter((l) => l.msg === 'reloaded HAProxy').length
    process.kill(next.child.pid!, 'SIGUSR1')
    await until(() => next.lines.filter((l) => l.msg === 'reloaded HAProxy').length > reloads, 10_000, 'reload after the takeover')
    await haproxyOf()
  }, 90_000)

  it('(d) of two daemons started at the same instant, one runs and the other is refused before it writes anything', async () => {
    for (const m of started) {
      if (m.child.exitCode !== null || m.child.signalCode !== null) continue
      m.child.kill('SIGTERM')
      await m.exited
    }
    const pair = [startMlb(), startMlb()]
    const outcome = (m: Mlb): Promise<string> => until(() => m.lines.some((l) => l.msg === 'mlb serve is running') || m.child.exitCode !== null, 30_000, 'running or refused')
      .then(() => (m.child.exitCode === null ? 'running' : `exit ${m.child.exitCode}`))
    const outcomes = await Promise.all(pair.map(outcome))
    expect([...outcomes].sort(), pair.map((m) => m.stderr).join('\n---\n')).toEqual(['exit 1', 'running'])
    const winner = pair[outcomes.indexOf('running')]!
    const loser = pair[outcomes.indexOf('exit 1')]!
    // The refusal names the pid file; the pid when the winner had written it by then.
    expect(loser.stderr).toMatch(new RegExp(`mlb serve: error: (another mlb serve is starting with pid file ${pidFile()}|mlb serve is already running with pid file ${pidFile()} \\(pid ${winner.child.pid}\\));`))
    expect(loser.stderr.trim().split('\n').every((l) => /already running with pid file|another mlb serve is starting/.test(l)), loser.stderr).toBe(true)
    expect((await readFile(pidFile(), 'utf8')).trim()).toBe(String(winner.child.pid))
    expect(await haproxyOf()).toHaveLength(2) // one master, one worker
    expect((await get(http, '/', 'web.test')).status).toBe(200)
  }, 60_000)
})
