/**
 * `mlb zdd` (the built CLI) and what Jenkins scripts read from it: stdout without a terminal is
 * only the final app definition (zdd.py's contract), `--output ndjson` ends with a result line
 * even when the run never started, start-up exit statuses, nulls stripped from `--json`, `-l`
 * resolved through /etc/hosts, and credentials gone from /proc/<pid>/cmdline before oclif loads.
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {pathToFileURL} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {zddPyJson} from '../../src/cli/zdd-report.js'
import {BIN, ROOT, cleanEnv} from '../cli-run.js'
import {freePorts} from '../haproxy-harness.js'
import {bgApp, startBed, writes, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed
/** A "Marathon" that accepts connections and never answers: zdd waits on its first request. */
let silent: Server
const held: Socket[] = []
let silentUrl = ''

beforeAll(async () => {
  bed = await startBed({lbs: 0, taskPorts: {min: 30600, max: 30649}})
  silent = createServer((socket) => void held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const address = silent.address()
  silentUrl = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
})

afterAll(async () => {
  for (const s of held) s.destroy()
  await new Promise((resolve) => silent?.close(resolve))
  await bed?.stop()
})

async function app(name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const [servicePort, altPort] = (await freePorts(2)) as [number, number]
  return bgApp({id: `/${name}`, group: name, instances: 1, servicePort, altPort, extra, labels})
}

async function deadLb(host = '127.0.0.1'): Promise<string> {
  return `http://${host}:${(await freePorts(1))[0]}`
}

describe('stdout without a terminal: only the final app definition, as zdd.py', () => {
  it('`mlb zdd … 2>/dev/null > final.json` is the app JSON POSTed, nothing else; null fields stripped and not sent', async () => {
    const file = await bed.appFile('pure.json', await app('pure', {cmd: null, env: {RELEASE: 'v1', GONE: null}, upgradeStrategy: {minimumHealthCapacity: null}}))
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false, ndjson: false})
    expect(r.code, r.stderr).toBe(0)
    const posted = bed.sim.calls({method: 'POST', path: '/v2/apps'}).at(-1)?.body as Record<string, unknown>
    expect(r.stdout).toBe(`${zddPyJson(posted)}\n`)
    expect(JSON.parse(r.stdout)).toEqual(posted)
    expect(JSON.stringify(posted)).not.toContain('null')
    expect(posted).not.toHaveProperty('cmd')
    expect(posted['env']).toEqual({RELEASE: 'v1'})
    expect(r.stderr).toMatch(/Z Done: Created \/pure-blue/)
    await bed.sim.waitForDeployments(20_000)
  })

  it('"HAPROXY_DEPLOYMENT_GROUP": null is a missing label: exit 4, nothing created, stdout empty', async () => {
    const json = await app('nullgroup')
    ;(json['labels'] as Record<string, unknown>)['HAPROXY_DEPLOYMENT_GROUP'] = null
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', await bed.appFile('nullgroup.json', json), '-l', await deadLb(), '-f'], {lbs: false, ndjson: false})
    expect(r.code, r.stderr).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/Z Stopped: .*HAPROXY_DEPLOYMENT_GROUP.*exit 4/)
    expect(writes(bed.sim)).toEqual([])
  })

  it('no --force: exit 1, stdout empty, the reason in the Stopped line on stderr', async () => {
    const r = await bed.zdd(['-j', await bed.appFile('nf.json', await app('nf')), '-l', await deadLb()], {lbs: false, ndjson: false})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/Z Stopped: .*--force/)
  })
})

describe('--output ndjson: a result line for every exit after the flags are parsed', () => {
  const SECRET = 'Pa55wordZ'
  const cases: {desc: string; args: () => Promise<string[]>; marathon?: () => string; exit: number; code: string}[] = [
    {desc: 'malformed --json', args: async () => ['-j', await bed.script('broken.json', '{"id": "/x",')], exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG'},
    {desc: 'malformed user:pass', args: async () => ['-j', await bed.appFile('a1.json', await app('a1')), '--auth-credentials', `u:${SECRET}:x`], exit: 1, code: 'MLB_ERR_AUTH'},
    {desc: 'unreadable credential file', args: async () => ['-j', await bed.appFile('a2.json', await app('a2')), '--marathon-auth-credential-file', `${bed.dir}/absent`], exit: 1, code: 'MLB_ERR_AUTH'},
    {desc: '-m without a scheme (exit 6, as zdd.py)', args: async () => ['-j', await bed.appFile('a3.json', await app('a3'))], marathon: () => silentUrl, exit: 6, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT'},
    {desc: '-m ftp:// with a password (exit 6)', args: async () => ['-j', await bed.appFile('a4.json', await app('a4'))], marathon: () => `ftp://u:${SECRET}@${silentUrl}`, exit: 6, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT'},
  ]
  for (const c of cases) {
    it(`${c.desc}: exit ${c.exit}, stdout is one result line, no secret anywhere`, async () => {
      bed.sim.log.clear()
      const r = await bed.zdd([...(await c.args()), '-l', await deadLb(), '-f'], {lbs: false, ...(c.marathon === undefined ? {} : {marathon: c.marathon()})})
      expect(r.code, r.stderr).toBe(c.exit)
      expect(r.events).toHaveLength(1)
      expect(r.result).toMatchObject({type: 'result', outcome: 'failed', exit: c.exit, code: c.code})
      expect(r.stderr).toContain(`zdd: error: ${String(r.result['message'])}`)
      expect(r.stdout + r.stderr).not.toContain(SECRET)
      expect(writes(bed.sim)).toEqual([])
    })
  }
})

describe('-l resolves through getaddrinfo (/etc/hosts), as zdd.py', () => {
  it('-l http://localhost:<port> polls 127.0.0.1:<port> (here: nothing listens, so exit 5 as unreachable, not "cannot resolve")', async () => {
    const file = await bed.appFile('lh.json', await app('lh'))
    const first = await bed.zdd(['-j', file, '-f', '-l', await deadLb()], {lbs: false})
    expect(first.code, first.stderr).toBe(0)
    await bed.sim.waitForDeployments(20_000)
    const lb = await deadLb('localhost')
    const r = await bed.zdd(['-j', file, '-f', '-s', '0.1', '-l', lb], {lbs: false})
    expect(r.code, r.stderr).toBe(5)
    const message = String(r.result['message'])
    expect(message).not.toContain('cannot resolve')
    expect(message).toContain(lb.replace('localhost', '127.0.0.1'))
  })
})

/** One /proc/<pid>/cmdline sample (NULs as spaces), ms after spawn. */
interface Sample {
  readonly ms: number
  readonly cmdline: string
}

/**
 * Starts `node --import <resolve recorder> bin/run.js <args>` and polls its /proc/<pid>/cmdline
 * every ~2 ms from the spawn until `ms`, then kills it. The recorder (a module resolve hook, on
 * its own thread) notes the command line at every module resolution, so "before oclif loads" is
 * checked exactly, not by timing.
 */
async function watchCmdline(args: readonly string[], ms: number): Promise<{samples: Sample[]; resolves: {specifier: string; cmdline: string}[]}> {
  const hooks = await bed.script('resolve-hooks.mjs', [
    "import {appendFileSync, readFileSync} from 'node:fs'",
    'let log',
    'export function initialize(data) { log = data.log }',
    'export async function resolve(specifier, context, next) {',
    "  const cmdline = readFileSync('/proc/self/cmdline', 'latin1').replaceAll('\\0', ' ')",
    "  appendFileSync(log, JSON.stringify({specifier, cmdline}) + '\\n')",
    '  return next(specifier, context)',
    '}',
  ].join('\n'))
  const log = `${bed.dir}/resolves-${Date.now()}.ndjson`
  await bed.script(log.slice(bed.dir.length + 1), '')
  const register = await bed.script('register-hooks.mjs', `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, {data: {log: ${JSON.stringify(log)}}})\n`)
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], {cwd: ROOT, env: cleanEnv(), stdio: 'ignore'})
  const samples: Sample[] = []
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const poll = setInterval(() => {
    try {
      samples.push({ms: performance.now() - started, cmdline: readFileSync(`/proc/${child.pid}/cmdline`, 'latin1').replaceAll('\0', ' ')})
    } catch {
      // not there yet, or gone
    }
  }, 2)
  // At least `ms`, and until 50 samples were taken (a busy machine runs the 2 ms timer late),
  // within a bound: the child waits on a Marathon that never answers, so it is still there.
  while (performance.now() - started < ms || (samples.length < 50 && performance.now() - started < 10_000)) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  clearInterval(poll)
  child.kill('SIGKILL')
  await exited
  const resolves = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as {specifier: string; cmdline: string})
  return {samples, resolves}
}

/** The cmdline samples and resolutions, checked against `secret`; `loader` is the module the title must precede. */
function expectHiddenBefore(r: Awaited<ReturnType<typeof watchCmdline>>, secret: string, loader: RegExp, title: string): void {
  const at = r.resolves.findIndex((x) => loader.test(x.specifier))
  expect(at, JSON.stringify(r.resolves.map((x) => x.specifier))).toBeGreaterThanOrEqual(0)
  // From the first import of the command loader on, the command line never shows the secret.
  const leaks = r.resolves.slice(at).filter((x) => x.cmdline.includes(secret))
  expect(leaks.map((x) => x.specifier)).toEqual([])
  expect(r.resolves[at]?.cmdline.trim()).toBe(title)
  // Polled from the spawn: visible only during Node's own start-up (before any JavaScript runs),
  // and never again once the title replaced it.
  const hiddenAt = r.samples.findIndex((s) => s.cmdline.trim() === title)
  expect(hiddenAt, JSON.stringify(r.samples.slice(-3))).toBeGreaterThanOrEqual(0)
  expect(r.samples.slice(hiddenAt).filter((s) => s.cmdline.includes(secret))).toEqual([])
  expect(r.samples.length).toBeGreaterThan(50)
}

describe('credentials leave /proc/<pid>/cmdline before oclif (or serve\'s parser) loads', () => {
  it('mlb zdd --auth=u:<secret> (an abbreviated credential flag) against a Marathon that never answers', async () => {
    const file = await bed.appFile('ps.json', await app('ps'))
    const r = await watchCmdline(['zdd', '-m', `http://${silentUrl}`, '-l', await deadLb(), '-j', file, '-f', '--syslog-socket', '/dev/null', '--auth=u:Cmdl1neSecret'], 700)
    expectHiddenBefore(r, 'Cmdl1neSecret', /^@oclif\/core$/, 'mlb zdd')
  })

  it('mlb zdd -m http://u:<secret>@host (user info in the Marathon URL)', async () => {
    const file = await bed.appFile('ps2.json', await app('ps2'))
    const r = await watchCmdline(['zdd', '-m', `http://u:UrlSecret9@${silentUrl}`, '-l', await deadLb(), '-j', file, '-f', '--syslog-socket', '/dev/null'], 700)
    expectHiddenBefore(r, 'UrlSecret9', /^@oclif\/core$/, 'mlb zdd')
  })

  it('mlb serve --auth-credentials u:<secret> (serve hides again after its own parse)', async () => {
    const r = await watchCmdline(['serve', '--marathon', `http://${silentUrl}`, '--group', 'external', '--dry', '--syslog-socket', '/dev/null', '--auth-credentials', 'u:ServeSecret7'], 700)
    expectHiddenBefore(r, 'ServeSecret7', /serve-process\.js$/, 'mlb serve')
  })
})
