/**
 * `mlb marathon-sim` as a child process: the first stdout line is the URL, the apps file is
 * loaded and its tasks run as processes, and SIGTERM/SIGINT leave no task process behind.
 * Runs the command from source (bin/dev.js), so it does not need a build.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {afterAll, describe, expect, it} from 'vitest'

import {alive, call, until} from './helpers.js'

const ROOT = join(import.meta.dirname, '..', '..')
const children: ChildProcess[] = []

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
})

function start(args: string[]): {child: ChildProcess; url: Promise<string>; exit: Promise<number | null>; stderr: () => string} {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'dev.js'), 'marathon-sim', ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let err = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c))
  const url = new Promise<string>((resolve, reject) => {
    const lines = createInterface({input: child.stdout!})
    lines.once('line', (l) => resolve(l))
    child.once('exit', () => reject(new Error(`exited before printing its URL: ${err}`)))
  })
  url.catch(() => {}) // awaited by the tests that expect a URL
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {child, url, exit, stderr: () => err}
}

describe('mlb marathon-sim', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints its URL first, serves the apps file, and on %s stops every task process', async (signal) => {
    const run = start(['--port', '0', '--apps', 'fixtures/sim/demo-apps.json', '--task-ports', '31000-31499'])
    const url = await run.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await until(async () => {
      const apps = (await call(url, 'GET', '/v2/apps')).body.apps as {tasksRunning: number; instances: number}[]
      return apps.length === 3 && apps.every((a) => a.tasksRunning === a.instances)
    }, 20_000, 'demo apps running')
    const web = (await call(url, 'GET', '/v2/apps/web')).body.app
    expect(web.portDefinitions.map((p: {port: number}) => p.port)).toEqual([10000])
    const answer = (await (await fetch(`http://${web.tasks[0].host}:${web.tasks[0].ports[0]}/`)).json()) as {appId: string}
    expect(answer.appId).toBe('/web')
    const pids = (await call(url, 'GET', '/_sim/state')).body.pids as number[]
    expect(pids).toHaveLength(5)
    run.child.kill(signal)
    expect(await run.exit).toBe(0)
    expect(pids.filter(alive)).toEqual([])
  })

  it('even when the simulator is SIGKILLed, its tasks exit (their IPC channel closes)', async () => {
    const run = start(['--port', '0', '--apps', 'fixtures/sim/demo-apps.json', '--task-ports', '31000-31499'])
    const url = await run.url
    await until(async () => ((await call(url, 'GET', '/_sim/state')).body.pids as number[]).length === 5, 20_000, 'tasks started')
    const pids = (await call(url, 'GET', '/_sim/state')).body.pids as number[]
    run.child.kill('SIGKILL')
    await run.exit
    await until(() => pids.every((p) => !alive(p)), 5000, 'orphans gone')
  })

  it('refuses an invalid apps file with the 422 details and exit 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mlb-sim-')), 'apps.json')
    writeFileSync(file, JSON.stringify({apps: [{id: '/ok'}, {id: '/Not_Valid'}]}))
    const run = start(['--port', '0', '--apps', file])
    expect(await run.exit).toBe(2)
    expect(run.stderr()).toContain('invalid --apps file')
    expect(run.stderr()).toContain('"path":"/apps(1)/id"')
  })
})
