/**
 * The start-up lock of `mlb serve` (src/serve/instance-lock.ts): abstract unix sockets, so real
 * sockets and a real child process, but no HAProxy. The built CLI's race of two daemons is in
 * serve-daemon-takeover.test.ts (d).
 */
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import {describe, expect, it} from 'vitest'

import {MemoryLogger} from '../../src/log.js'
import {acquireInstanceLock, lockName, type InstanceLock, type LockedPath} from '../../src/serve/instance-lock.js'
import {claimInstance} from '../../src/serve/instance.js'

const unique = (): string => `/tmp/mlb-lock-test-${process.pid}-${Math.random().toString(36).slice(2)}`
const held = (r: {lock: InstanceLock} | {taken: LockedPath}): InstanceLock => {
  if (!('lock' in r)) throw new Error(`expected the lock, ${r.taken.kind} ${r.taken.path} was taken`)
  return r.lock
}

describe('acquireInstanceLock', () => {
  it('holds a path until released; another path is free meanwhile', async () => {
    const a: LockedPath = {kind: 'pid-file', path: `${unique()}/mlb.pid`}
    const b: LockedPath = {kind: 'pid-file', path: `${unique()}/mlb.pid`}
    const first = held(await acquireInstanceLock([a]))
    expect(await acquireInstanceLock([a])).toEqual({taken: a})
    const other = held(await acquireInstanceLock([b]))
    await first.release()
    await first.release() // idempotent
    const again = held(await acquireInstanceLock([a]))
    await Promise.all([again.release(), other.release()])
  })

  it('takes all or none: a taken run dir releases the pid file taken before it', async () => {
    const pid: LockedPath = {kind: 'pid-file', path: `${unique()}/mlb.pid`}
    const run: LockedPath = {kind: 'run-dir', path: unique()}
    const runHolder = held(await acquireInstanceLock([run]))
    expect(await acquireInstanceLock([pid, run])).toEqual({taken: run})
    const pidOnly = held(await acquireInstanceLock([pid]))
    await Promise.all([pidOnly.release(), runHolder.release()])
  })

  it('names a pid file and a run dir of the same path apart, and fits any path in sun_path', () => {
    const path = `/${'x'.repeat(4000)}`
    expect(lockName({kind: 'pid-file', path})).not.toBe(lockName({kind: 'run-dir', path}))
    expect(Buffer.byteLength(lockName({kind: 'pid-file', path}))).toBeLessThan(108)
    expect(lockName({kind: 'pid-file', path}).startsWith('\0')).toBe(true)
  })

  it('is freed by the kernel when its holder is killed with SIGKILL (no stale lock)', async () => {
    const p: LockedPath = {kind: 'pid-file', path: `${unique()}/mlb.pid`}
    // argv cannot carry the name's leading NUL: the child adds it.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen('\\0' + process.argv[1], () => console.log('held'))`, lockName(p).slice(1)], {stdio: ['ignore', 'pipe', 'inherit']})
    await new Promise<void>((resolve) => createInterface({input: child.stdout!}).once('line', () => resolve()))
    expect(await acquireInstanceLock([p])).toEqual({taken: p})
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    await held(await acquireInstanceLock([p])).release()
  })
})

describe('claimInstance', () => {
  it('of two claims at the same instant (no pid file written yet), one holds the lock and the other is refused', async () => {
    const files = {pidFile: `${unique()}/mlb.pid`, haproxy: undefined}
    const results = await Promise.allSettled([claimInstance(files, new MemoryLogger()), claimInstance(files, new MemoryLogger())])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost.map((r) => String(r.reason))).toEqual([`MlbError: another mlb serve is starting with pid file ${files.pidFile}; stop it first or give another --pid-file`])
    await (won[0] as PromiseFulfilledResult<{lock: InstanceLock}>).value.lock.release()
    await (await claimInstance(files, new MemoryLogger())).lock.release() // free again
  })

  it('refuses a second daemon on the same HAProxy run dir with another pid file, naming the run dir', async () => {
    const dir = unique()
    const haproxy = {masterSocket: `${dir}/master.sock`, pidFile: `${dir}/haproxy.pid`}
    const first = await claimInstance({pidFile: `${unique()}/a.pid`, haproxy}, new MemoryLogger())
    await expect(claimInstance({pidFile: `${unique()}/b.pid`, haproxy}, new MemoryLogger()))
      .rejects.toThrow(`another mlb serve uses the HAProxy run dir ${dir}; stop it first or give another --haproxy-run-dir`)
    await first.lock.release()
  })
})
