/**
 * SIGINT/SIGTERM and the pre-kill hook start-up check, end to end (the built CLI, the Marathon
 * simulator, `mlb serve` with HAProxy): a signal while Marathon is slow stops zdd at once with
 * 143 and nothing created; Ctrl-C at the prompt (on a real pseudo-terminal) ends it with 130 and
 * nothing created; a Jenkins abort (SIGTERM to the process group) during the hook is 143 with
 * nothing killed, `--resume` finishes; the hook never sees the Marathon URL's password; a hook
 * that spawn could not run is refused with exit 2 before any change.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, ROOT, cleanEnv} from '../cli-run.js'
import {freePorts} from '../haproxy-harness.js'
import {bedApp, bgApp, firstDeployServed, parseNdjson, startBed, waitUntil, writes, type Bed} from '../zdd-e2e-harness.js'

/** A started `mlb zdd` (or `script` running it) and its output so far. */
interface Running {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with the exit status once the process has ended (SIGKILLed after `timeoutMs`). */
  done(timeoutMs: number): Promise<{code: number | null; ms: number}>
}

/** Starts `command args` with stdin a pipe; `detached` puts it in its own process group. */
function start(command: string, args: readonly string[], o: {cwd?: string; env?: Record<string, string>; detached?: boolean} = {}): Running {
  const started = performance.now()
  const child = spawn(command, args, {cwd: o.cwd ?? ROOT, env: o.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'], detached: o.detached ?? false})
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')))
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')))
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done: async (timeoutMs) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const code = await closed
      clearTimeout(timer)
      return {code, ms: performance.now() - started}
    },
  }
}

/** `mlb zdd <args> --syslog-socket /dev/null --output ndjson`. */
function zdd(args: readonly string[], o: {cwd?: string; env?: Record<string, string>; detached?: boolean} = {}): Running {
  return start(process.execPath, [BIN, 'zdd', ...args, '--syslog-socket', '/dev/null', '--output', 'ndjson'], o)
}

/** An `-l` URL nothing listens on (these runs stop before any load balancer is asked). */
async function deadLb(): Promise<string> {
  return `http://127.0.0.1:${(await freePorts(1))[0]}`
}

/** Bed without load balancers: only zdd talks to its simulator, so its faults hit zdd alone. */
describe('before the swap: nothing is created', () => {
  let bed: Bed
  beforeAll(async () => {
    bed = await startBed({lbs: 0, taskPorts: {min: 30800, max: 30849}})
  })
  afterAll(async () => {
    await bed?.stop()
  })

  /** An app of its own deployment group `name`. */
  async function appFile(name: string): Promise<string> {
    const [servicePort, altPort] = (await freePorts(2)) as [number, number]
    return bed.appFile(`${name}.json`, bgApp({id: `/${name}`, group: name, instances: 1, servicePort, altPort}))
  }

  it('SIGTERM while GET /v2/apps hangs: exit 143 at once (not 6 after the 46 s read timeout), no POST', async () => {
    const file = await appFile('slowlist')
    bed.sim.log.clear()
    bed.sim.faults.timeoutNext(1)
    const run = zdd(['-j', file, '-f', '-m', bed.sim.url, '-l', await deadLb()])
    try {
      await waitUntil(async () => bed.sim.calls({method: 'GET', path: '/v2/apps'}).length > 0, 20_000, 'zdd asking for /v2/apps', 20)
      const signalled = performance.now()
      run.child.kill('SIGTERM')
      const {code} = await run.done(30_000)
      expect(code, run.stderr()).toBe(143)
      expect(performance.now() - signalled).toBeLessThan(5000)
      const result = parseNdjson(run.stdout()).at(-1)
      expect(result).toMatchObject({type: 'result', outcome: 'interrupted', exit: 143})
      expect(String(result?.['message'])).toContain('--resume')
      expect(writes(bed.sim)).toEqual([])
    } finally {
      bed.sim.faults.reset()
    }
  })

  it('Ctrl-C at "Continue with deployment? [Y/n]" on a terminal: the prompt ends, exit 130, a later Enter creates nothing', async () => {
    const file = await appFile('ctrlc')
    bed.sim.log.clear()
    const cmd = [process.execPath, BIN, 'zdd', '-j', file, '-m', bed.sim.url, '-l', await deadLb(), '--syslog-socket', '/dev/null'].map((a) => `'${a}'`).join(' ')
    // util-linux script(1) gives zdd a pseudo-terminal; ^C typed into it is the terminal's SIGINT.
    const run = start('script', ['-qefc', cmd, '/dev/null'], {env: cleanEnv({NO_COLOR: '1', SHELL: '/bin/sh'})})
    await waitUntil(async () => run.stdout().includes('Continue with deployment? [Y/n] '), 20_000, 'the prompt', 20)
    run.child.stdin?.write('\x03')
    await new Promise((resolve) => setTimeout(resolve, 300))
    run.child.stdin?.write('\r')
    const {code} = await run.done(20_000)
    run.child.stdin?.end()
    expect(code, run.stdout()).toBe(130)
    expect(run.stdout()).toMatch(/Stopped: .*SIGINT/)
    expect(writes(bed.sim)).toEqual([])
  })

  it('a hook spawn could not run is refused with exit 2 before any change: a directory; a bare name that is only in the working directory', async () => {
    const file = await appFile('badhook')
    await bed.script('hook.sh', '#!/bin/sh\nexit 0\n')
    await mkdir(join(bed.dir, 'hookdir'), {recursive: true})
    bed.sim.log.clear()
    const lb = await deadLb()
    const dir = zdd(['-j', file, '-f', '-m', bed.sim.url, '-l', lb, '--pre-kill-hook', join(bed.dir, 'hookdir')])
    expect((await dir.done(30_000)).code, dir.stdout()).toBe(2)
    expect(dir.stdout()).toContain('is a directory')
    const bare = zdd(['-j', file, '-f', '-m', bed.sim.url, '-l', lb, '--pre-kill-hook', 'hook.sh'], {cwd: bed.dir})
    expect((await bare.done(30_000)).code, bare.stdout()).toBe(2)
    expect(bare.stdout()).toContain('write ./hook.sh')
    expect(writes(bed.sim)).toEqual([])
    expect(bed.sim.calls()).toEqual([])
  })
})

describe('during the swap, with mlb serve and HAProxy', () => {
  let bed: Bed
  beforeAll(async () => {
    bed = await startBed({lbs: 1, taskPorts: {min: 30850, max: 30899}})
    await firstDeployServed(bed, bedApp(bed, 2, 'v1'))
  }, 90_000)
  afterAll(async () => {
    await bed?.stop()
  }, 60_000)

  it('Jenkins abort (SIGTERM to the process group) while the hook runs: exit 143, nothing killed, no password in the hook env; --resume finishes', async () => {
    const marker = join(bed.dir, 'hook-started')
    const envFile = join(bed.dir, 'hook-env')
    const hook = await bed.script('slow-hook.sh', `#!/bin/sh\nenv > '${envFile}'\ntouch '${marker}'\nsleep 30\n`)
    const v2 = await bed.appFile('app-v2.json', bedApp(bed, 2, 'v2'))
    bed.sim.log.clear()
    // The Marathon URL with user info, from the environment (the simulator has no auth and ignores it).
    const marathon = bed.sim.url.replace('http://', 'http://bob:s3cret@')
    const run = zdd(['-j', v2, '-f', '-s', '0.2', '-w', '30', ...bed.lbArgs(), '--pre-kill-hook', hook], {env: cleanEnv({MLB_MARATHON: marathon}), detached: true})
    const pid = run.child.pid ?? 0
    try {
      await waitUntil(async () => existsSync(marker), 60_000, 'the pre-kill hook to start', 50)
      process.kill(-pid, 'SIGTERM')
      const {code} = await run.done(30_000)
      expect(code, `${run.stdout()}\n${run.stderr()}`).toBe(143)
      expect(parseNdjson(run.stdout()).at(-1)).toMatchObject({outcome: 'interrupted', exit: 143})
    } finally {
      try {
        process.kill(-pid, 'SIGKILL') // whatever of the group survived (the hook's sleep)
      } catch {
        // all gone
      }
    }
    expect(writes(bed.sim)).toEqual(['POST /v2/apps'])
    expect(bed.sim.tasks('/nginx-blue')).toHaveLength(2)
    const env = await readFile(envFile, 'utf8')
    expect(env).toContain(`MLB_MARATHON=${bed.sim.url}\n`)
    expect(env).not.toContain('s3cret')

    const resumed = await bed.zdd(['-j', v2, '-r', '-f', '-s', '0.2', '-w', '30'], {timeoutMs: 90_000})
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0)
    expect(resumed.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
  }, 150_000)
})
