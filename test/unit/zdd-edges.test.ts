import {chmod, mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {ListrReporter} from '../../src/cli/zdd-listr.js'
import {NdjsonReporter, PlainReporter} from '../../src/cli/zdd-report.js'
import {MarathonError} from '../../src/errors.js'
import {withoutCredentials} from '../../src/credential-env.js'
import {checkHookExecutable, hookArgv, processHookRunner, runPreKillHook} from '../../src/zdd/hook.js'
import {DEFAULT_LB_PORT, pollLbs, resolveLbUrls} from '../../src/zdd/lb.js'
import {MarathonZddApi, type MarathonRequester} from '../../src/zdd/marathon.js'
import {StreamPrompter, parseYesNo} from '../../src/zdd/prompt.js'
import {runZdd} from '../../src/zdd/run.js'
import {greenApp, world} from './zdd-fakes.js'

/** A requester answering every call with `answer` and recording method + path + body. */
function requester(answer: {status: number; body: unknown} | Error): MarathonRequester & {calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    request: async <T>(method: string, path: string, body?: unknown) => {
      calls.push(`${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`)
      if (answer instanceof Error) throw answer
      return {status: answer.status, body: answer.body as T, url: 'http://m:8080'}
    },
  }
}

describe('MarathonZddApi: spec §8.2 calls and their exit codes', () => {
  it('sends zdd.py\'s requests', async () => {
    const r = requester({status: 200, body: {apps: [], app: {id: '/a'}}})
    const api = new MarathonZddApi(r)
    await api.listApps()
    await api.getApp('/a')
    await api.createApp({id: '/a-blue'})
    await api.scaleApp('/a-blue', 3)
    await api.killTasks(['t1', 't2'])
    await api.deleteApp('/a-green')
    expect(r.calls).toEqual([
      'GET /v2/apps',
      'GET /v2/apps/a',
      'POST /v2/apps {"id":"/a-blue"}',
      'PUT /v2/apps/a-blue {"instances":3}',
      'POST /v2/tasks/delete?scale=true {"ids":["t1","t2"]}',
      'DELETE /v2/apps/a-green',
    ])
  })

  it.each([
    ['listApps', (a: MarathonZddApi) => a.listApps(), 6],
    ['getApp', (a: MarathonZddApi) => a.getApp('/a'), 6],
    ['createApp', (a: MarathonZddApi) => a.createApp({id: '/a'}), 7],
    ['scaleApp', (a: MarathonZddApi) => a.scaleApp('/a', 2), 9],
    ['killTasks', (a: MarathonZddApi) => a.killTasks(['t']), 9],
    ['deleteApp (§10.37: zdd.py exited 2)', (a: MarathonZddApi) => a.deleteApp('/a'), 8],
  ])('%s: HTTP error → exit %i, with Marathon\'s message', async (_n, call, exit) => {
    const err = await call(new MarathonZddApi(requester({status: 409, body: {message: 'App is locked'}}))).catch((e: unknown) => e)
    expect(err).toMatchObject({exit})
    expect((err as Error).message).toContain('HTTP 409: App is locked')
  })

  it('unreachable or garbage Marathon on GET → exit 6', async () => {
    const down = await new MarathonZddApi(requester(new MarathonError('cannot reach Marathon: connection refused'))).listApps().catch((e: unknown) => e)
    expect(down).toMatchObject({exit: 6})
    const garbage = await new MarathonZddApi(requester({status: 200, body: {hello: 1}})).listApps().catch((e: unknown) => e)
    expect(garbage).toMatchObject({exit: 6, message: expect.stringContaining('no "apps" list')})
  })
})

describe('load balancers', () => {
  it('test_get_marathon_lb_urls: one URL per A record, port kept', async () => {
    const urls = await resolveLbUrls(['http://marathon-lb:9090'], async () => ['127.0.0.1', '127.0.0.2'])
    expect(urls).toEqual(['http://127.0.0.1:9090', 'http://127.0.0.2:9090'])
  })
  it('§10.39 fix: no port → 9090 (zdd.py built http://<ip>:None); path kept', async () => {
    expect(await resolveLbUrls(['http://lb.example/prefix'], async () => ['10.1.1.1'])).toEqual([`http://10.1.1.1:${DEFAULT_LB_PORT}/prefix`])
  })
  it('repeated -l is an explicit list, not resolved; a bad host → exit 5', async () => {
    expect(await resolveLbUrls(['http://a:1', 'http://b:2'], async () => expect.unreachable())).toEqual(['http://a:1', 'http://b:2'])
    await expect(resolveLbUrls(['http://nope:1'], async () => Promise.reject(new Error('ENOTFOUND')))).rejects.toMatchObject({exit: 5})
  })
  it('pollLbs: more than 2 PIDs or a failing PID call means reloading; stats failure → listeners undefined', async () => {
    const poll = await pollLbs(['http://a:1', 'http://b:2'], {
      pids: async (u) => (u === 'http://a:1' ? ['1', '2', '3'] : ['1', '2']),
      stats: async (u) => (u === 'http://a:1' ? '# pxname,svname,status,\nweb_1,s1,UP,\n' : Promise.reject(new Error('HTTP 503'))),
    }, 'web_1')
    expect(poll.snapshot).toEqual({count: 2, reloading: ['http://a:1'], listeners: undefined})
    expect(poll.errors.join()).toContain('HTTP 503')
  })
})

describe('pre-kill hook', () => {
  it('test_pre_kill_hook: argv = path + three Python-style JSON strings', () => {
    expect(hookArgv('myhook', {id: 'oldApp'}, ['task1', 'task2'], {id: 'newApp'})).toEqual(['myhook', '{"id": "oldApp"}', '["task1", "task2"]', '{"id": "newApp"}'])
  })
  it('masks secret-looking env values and URL passwords in the app JSON it passes', () => {
    const argv = hookArgv('h', {id: '/a', env: {DB_PASSWORD: 'hunter2', MODE: 'prod', TOKEN: {secret: 'ref'}}, uris: ['https://u:pw@repo/x.tgz']}, [], {id: '/b'})
    expect(argv[1]).not.toContain('hunter2')
    expect(argv[1]).not.toContain('pw@')
    expect(argv[1]).toContain('"MODE": "prod"')
    expect(argv[1]).toContain('"secret": "ref"')
  })
  it('runs a real executable without a shell and passes the three arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdd-hook-'))
    const out = join(dir, 'args')
    const hook = join(dir, 'hook.sh')
    await writeFile(hook, `#!/bin/sh\nprintf '%s\\n' "$@" > '${out}'\n[ -z "$DCOS_SERVICE_ACCOUNT_CREDENTIAL" ] || exit 9\nexit "\${HOOK_EXIT:-0}"\n`)
    await chmod(hook, 0o755)
    await checkHookExecutable(hook)
    process.env['DCOS_SERVICE_ACCOUNT_CREDENTIAL'] = '{"uid":"x"}'
    try {
      await runPreKillHook(processHookRunner, hookArgv(hook, {id: '/old'}, ['t1'], {id: '/new $(touch x)'}))
    } finally {
      delete process.env['DCOS_SERVICE_ACCOUNT_CREDENTIAL']
    }
    expect(await readFile(out, 'utf8')).toBe('{"id": "/old"}\n["t1"]\n{"id": "/new $(touch x)"}\n')
    process.env['HOOK_EXIT'] = '4'
    try {
      await expect(runPreKillHook(processHookRunner, [hook, '{}', '[]', '{}'])).rejects.toMatchObject({exit: 2, status: 4})
    } finally {
      delete process.env['HOOK_EXIT']
    }
  })
  it('a non-executable hook is refused up front (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdd-hook-'))
    const hook = join(dir, 'plain.txt')
    await writeFile(hook, 'not a program')
    await expect(checkHookExecutable(hook)).rejects.toMatchObject({exit: 2})
  })
  it('the start-up check resolves the hook as spawn will: a directory is refused; a bare name is looked up in PATH only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdd-hook-'))
    const bin = join(dir, 'bin')
    const later = join(dir, 'later')
    await mkdir(bin)
    await mkdir(later)
    await writeFile(join(dir, 'hook.sh'), '#!/bin/sh\n', {mode: 0o755})
    await writeFile(join(bin, 'mine'), 'not executable', {mode: 0o644})
    await writeFile(join(later, 'mine'), '#!/bin/sh\n', {mode: 0o755})
    const env = {PATH: `${bin}:${later}`}
    // zdd.py's `access` check let a directory pass, then spawn failed with EACCES after the app was created.
    await expect(checkHookExecutable(bin, env, dir)).rejects.toThrow(`--pre-kill-hook ${bin} is not an executable file: it is a directory`)
    // A bare name in the working directory is not what spawn runs: refused, with the ./ hint.
    await expect(checkHookExecutable('hook.sh', env, dir)).rejects.toMatchObject({exit: 2, message: expect.stringContaining('write ./hook.sh') as unknown})
    await expect(checkHookExecutable('./hook.sh', env, dir)).resolves.toBe('./hook.sh')
    // First PATH entry holding an executable file, as execvp (a non-executable one is skipped).
    await expect(checkHookExecutable('mine', env, dir)).resolves.toBe(join(later, 'mine'))
    await expect(checkHookExecutable('hook.sh', {PATH: `:${bin}`}, dir)).resolves.toBe(join(dir, 'hook.sh'))
  })
  it('runZdd refuses a directory as hook with exit 2 before any Marathon call', async () => {
    const w = world({preKillHook: tmpdir()})
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({exit: 2})
    expect(r.message).toContain(tmpdir())
    expect(w.marathon.calls).toEqual([])
  })
  it("the hook's environment: no credential variables, and no URL user info in any value", () => {
    const env = withoutCredentials({
      MLB_MARATHON: 'http://bob:pass@marathon.mesos:8080',
      MLB_MARATHON_LB: 'http://lb1:9090,https://u:p%40ss@lb2:9090/x',
      GIT_REMOTE: 'see https://ghp_token@github.com/o/r.git now',
      MAIL_LINK: 'http://host/x?to=a@b.org',
      DCOS_SERVICE_ACCOUNT_CREDENTIAL: '{"uid":"x"}',
      MLB_AUTH_CREDENTIALS: 'bob:pass',
      MODE: 'prod',
    })
    expect(env).toEqual({
      MLB_MARATHON: 'http://marathon.mesos:8080',
      MLB_MARATHON_LB: 'http://lb1:9090,https://lb2:9090/x',
      GIT_REMOTE: 'see https://github.com/o/r.git now',
      MAIL_LINK: 'http://host/x?to=a@b.org',
      MODE: 'prod',
    })
  })
  it('a real hook does not see the Marathon URL password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdd-hook-'))
    const out = join(dir, 'env')
    const hook = join(dir, 'env.sh')
    await writeFile(hook, `#!/bin/sh\nenv > '${out}'\n`, {mode: 0o755})
    process.env['MLB_MARATHON'] = 'http://bob:s3cret@127.0.0.1:8080'
    try {
      await runPreKillHook(processHookRunner, [hook, '{}', '[]', '{}'])
    } finally {
      delete process.env['MLB_MARATHON']
    }
    const seen = await readFile(out, 'utf8')
    expect(seen).toContain('MLB_MARATHON=http://127.0.0.1:8080\n')
    expect(seen).not.toContain('s3cret')
  })
  it("zdd's signal is passed on to a running hook, so a stopped deploy does not wait for it", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdd-hook-'))
    const hook = join(dir, 'slow.sh')
    await writeFile(hook, '#!/bin/sh\nexec sleep 10\n', {mode: 0o755})
    const controller = new AbortController()
    const started = performance.now()
    setTimeout(() => controller.abort('SIGTERM'), 200)
    expect(await processHookRunner.run([hook], controller.signal)).toEqual({status: null, signal: 'SIGTERM'})
    expect(performance.now() - started).toBeLessThan(5000)
  })
})

describe('prompt', () => {
  it('parseYesNo: zdd.py\'s answers', () => {
    expect(['', 'y', 'YE', 'Yes'].map(parseYesNo)).toEqual([true, true, true, true])
    expect(['n', 'NO'].map(parseYesNo)).toEqual([false, false])
    expect(parseYesNo('maybe')).toBeUndefined()
  })
  it('asks "Continue? [Y/n] " and re-asks on an unknown answer', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let shown = ''
    output.on('data', (d: Buffer) => {
      shown += d.toString()
    })
    const answer = new StreamPrompter(input, output).confirm('Continue?')
    input.write('maybe\n')
    input.write('n\n')
    expect(await answer).toBe(false)
    expect(shown).toBe("Continue? [Y/n] Please respond with 'yes' or 'no' (or 'y' or 'n').\nContinue? [Y/n] ")
  })
})

describe('output modes', () => {
  async function deployWith(make: (write: (t: string) => void) => ConstructorParameters<typeof Object>[0]) {
    const w = world()
    w.marathon.add(greenApp(2))
    let out = ''
    const reporter = make((t) => {
      out += t
    })
    const r = await runZdd(w.opts, {...w.deps, reporter: reporter as typeof w.deps.reporter})
    return {r, out}
  }

  it('--output ndjson: one JSON object per line, events then a final result object', async () => {
    const {out} = await deployWith((write) => new NdjsonReporter(write))
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as {type: string; time: string})
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.every((l) => typeof l.type === 'string' && !Number.isNaN(Date.parse(l.time)))).toBe(true)
    expect(lines[0]?.type).toBe('appDefinition')
    expect(lines.at(-1)).toMatchObject({type: 'result', outcome: 'deployed', exit: 0, newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(1)
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['created', 'step', 'progress', 'killed', 'scaled', 'deleted']))
  })

  it('no terminal: plain lines stamped with the injected clock, no ANSI codes, the app JSON on its own lines', async () => {
    const {out} = await deployWith((write) => new PlainReporter(write))
    expect(out).not.toMatch(/\u001b\[/)
    expect(out.split('\n')[0]).toMatch(/^2026-11-21T05:00:00\.000Z Final app definition for \/nginx-blue$/)
    expect(out).toContain('"HAPROXY_DEPLOYMENT_COLOUR": "blue"')
    expect(out).toMatch(/Z Delete: \/nginx-green deleted\n/)
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/Done: Deployed \/nginx-blue; deleted \/nginx-green \(deployed, exit 0/)
  })

  it('listr2 renderer (silent in tests) finishes and writes the result line', async () => {
    const {r, out} = await deployWith((write) => new ListrReporter(write, 'silent'))
    expect(r.exit).toBe(0)
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^Done: Deployed/)
  })
})
