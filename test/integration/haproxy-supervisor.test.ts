import {readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {afterEach, describe, expect, it} from 'vitest'
import {systemClock} from '../../src/clock.js'
import {MemoryLogger} from '../../src/log.js'
import {requestReload} from '../../src/haproxy/master.js'
import {HaproxySupervisor} from '../../src/haproxy/supervisor.js'
import {waitFor} from '../../src/haproxy/wait.js'
import {freePort, makeHaproxyPaths, startTestHaproxy, headFor, type TestHaproxy} from '../haproxy-harness.js'
import {alive} from '../wait.js'

async function allGone(pids: readonly number[]): Promise<boolean> {
  return (await waitFor(async () => (pids.every((p) => !alive(p)) ? true : undefined), {clock: systemClock, timeoutMs: 10_000, intervalMs: 50})) === true
}

const started: TestHaproxy[] = []
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop()
})

describe('HaproxySupervisor (real HAProxy, master-worker)', () => {
  it('starts one master and one worker, and stop() leaves no process behind', async () => {
    const h = await startTestHaproxy()
    started.push(h)
    const st = await h.supervisor.status()
    expect(st.workers).toHaveLength(1)
    expect(st.oldWorkers).toEqual([])
    expect(h.supervisor.masterPid).toBe(st.masterPid)
    const pids = [st.masterPid, ...st.workers.map((w) => w.pid)]
    expect(pids.every(alive)).toBe(true)
    await h.supervisor.stop()
    expect(await allGone(pids)).toBe(true)
    expect(h.supervisor.masterPid).toBeUndefined()
  })

  it('passes no credential to HAProxy (it expands "${NAME}" in its configuration)', async () => {
    const saved = {MARATHON_PASSWORD: process.env['MARATHON_PASSWORD'], MLB_MARATHON: process.env['MLB_MARATHON']}
    process.env['MARATHON_PASSWORD'] = 'leak-me-7f3a'
    process.env['MLB_MARATHON'] = 'http://bob:url-secret-9c1d@marathon:8080'
    try {
      const h = await startTestHaproxy()
      started.push(h)
      const st = await h.supervisor.status()
      for (const pid of [st.masterPid, ...st.workers.map((w) => w.pid)]) {
        const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')
        expect(environ.join('\n')).not.toMatch(/leak-me-7f3a|url-secret-9c1d/)
        expect(environ).toContain('MLB_MARATHON=http://marathon:8080')
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('status() asked while the master re-executes waits for it instead of failing', async () => {
    const h = await startTestHaproxy()
    started.push(h)
    const before = await h.supervisor.status()
    // The master closes this connection as it re-executes; its CLI socket then refuses
    // connections for 35-75 ms here, until it has read the configuration again (CI once asked
    // for a status in that window and failed).
    await requestReload(h.masterSocket)
    const during = await h.supervisor.status()
    expect(during.masterPid).toBe(before.masterPid)
    expect(during.reloads).toBe(before.reloads + 1)
  })

  it('restarts a master killed with SIGKILL, with a new master and worker', async () => {
    const h = await startTestHaproxy()
    started.push(h)
    const before = await h.supervisor.status()
    process.kill(before.masterPid, 'SIGKILL')
    const after = await waitFor(
      async () => {
        if (h.supervisor.restarts < 1) return undefined
        try {
          const s = await h.supervisor.status()
          return s.masterPid !== before.masterPid && s.workers.length === 1 ? s : undefined
        } catch {
          return undefined
        }
      },
      {clock: systemClock, timeoutMs: 15_000, intervalMs: 50},
    )
    expect(after).toBeDefined()
    expect(after?.restarts).toBe(1)
    // The orphaned worker of the killed master goes away on its own (its master pipe closed).
    expect(await allGone(before.workers.map((w) => w.pid))).toBe(true)
    expect(h.logger.messages('error')).toContain('haproxy master exited, restarting')
  })

  it('fails start() on an invalid configuration with HAProxy’s alert, and does not retry', async () => {
    const paths = await makeHaproxyPaths()
    await writeFile(paths.configFile, `${headFor(paths, await freePort())}backend b\n  nonsense\n`)
    const logger = new MemoryLogger()
    const sup = new HaproxySupervisor({...paths, clock: systemClock, logger, restart: {initialDelayMs: 50}})
    await expect(sup.start()).rejects.toThrow(/unknown keyword 'nonsense'/)
    await systemClock.sleep(300)
    expect(sup.restarts).toBe(0)
    expect(sup.masterPid).toBeUndefined()
    await sup.stop()
    const {rm} = await import('node:fs/promises')
    await rm(paths.dir, {recursive: true, force: true})
  })

  it('fails start() with the install command when the binary is missing', async () => {
    const paths = await makeHaproxyPaths()
    const sup = new HaproxySupervisor({...paths, haproxyBin: '/nonexistent/haproxy', clock: systemClock, logger: new MemoryLogger()})
    await expect(sup.start()).rejects.toThrow(/apt-get install -y haproxy/)
    const {rm} = await import('node:fs/promises')
    await rm(paths.dir, {recursive: true, force: true})
  })
})
