/**
 * The pre-kill hook and resuming, end to end (simulator + `mlb serve` + HAProxy): a failing hook
 * stops the deploy with exit 2 before anything is killed and `--resume` finishes it; the hook
 * receives the old app, the task ids and the new app as three JSON arguments; SIGTERM during a
 * deploy stops it with 143 and `--resume` finishes that one too.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {bedApp, firstDeployServed, killedTaskIds, startBed, writes, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed
let v1 = ''

beforeAll(async () => {
  bed = await startBed({lbs: 1, taskPorts: {min: 30200, max: 30299}})
  v1 = await firstDeployServed(bed, bedApp(bed, 3, 'v1'))
}, 90_000)

afterAll(async () => {
  await bed?.stop()
}, 60_000)

const FAST = ['-f', '-s', '0.2', '-w', '30']

it('a failing hook stops before any kill (exit 2, resumable); --resume runs the hook with the three JSON arguments and finishes', async () => {
  const blueTasks = bed.sim.tasks('/nginx-blue').map((t) => t.id)
  const fail = await bed.script('fail-hook.sh', '#!/bin/sh\nexit 7\n')
  const out = join(bed.dir, 'hook-calls.ndjson')
  const record = await bed.script('record-hook.mjs', `#!${process.execPath}\nimport {appendFileSync} from 'node:fs'\nappendFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)) + '\\n')\n`)
  const v2 = await bed.appFile('app-v2.json', bedApp(bed, 3, 'v2'))
  bed.sim.log.clear()

  const failed = await bed.zdd(['-j', v2, ...FAST, '--pre-kill-hook', fail], {timeoutMs: 60_000})
  expect(failed.code, failed.stdout).toBe(2)
  expect(failed.result).toMatchObject({outcome: 'failed', exit: 2, newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
  expect(String(failed.result['message'])).toContain('exited with status 7')
  expect(String(failed.result['message'])).toContain('--resume')
  expect(failed.events.some((e) => e.type === 'hook')).toBe(true)
  expect(writes(bed.sim)).toEqual(['POST /v2/apps'])
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(3)

  const resumed = await bed.zdd(['-j', v2, '-r', ...FAST, '--pre-kill-hook', record], {timeoutMs: 90_000})
  expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0)
  expect(resumed.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => c.path)).toEqual(['/v2/apps/nginx-blue'])

  const calls = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as string[])
  expect(calls.length).toBeGreaterThan(0)
  const hooked: string[] = []
  for (const argv of calls) {
    expect(argv).toHaveLength(3)
    const [oldJson, tasksJson, newJson] = argv as [string, string, string]
    // zdd.py's json.dumps separators.
    expect(tasksJson).toMatch(/^\["[^"]+"(, "[^"]+")*\]$/)
    expect(JSON.parse(oldJson)).toMatchObject({id: '/nginx-blue', labels: {HAPROXY_DEPLOYMENT_COLOUR: 'blue'}})
    expect(JSON.parse(newJson)).toMatchObject({id: '/nginx-green', labels: {HAPROXY_DEPLOYMENT_COLOUR: 'green'}})
    hooked.push(...(JSON.parse(tasksJson) as string[]))
  }
  // The hook saw exactly the tasks that were then killed, all of them blue's.
  expect(hooked).toEqual(killedTaskIds(bed.sim))
  expect(hooked.filter((id) => !blueTasks.includes(id))).toEqual([])
}, 110_000)

it('SIGTERM during a deploy: exit 143, nothing deleted, and --resume finishes it', async () => {
  bed.sim.log.clear()
  const v3 = await bed.appFile('app-v3.json', bedApp(bed, 3, 'v3'))
  // Stop as soon as the new colour exists (blue again: green is the running one).
  const stopped = await bed.zddSignalled(['-j', v3, ...FAST], /"type":"created"/, 'SIGTERM', 60_000)
  expect(stopped.code, stopped.stdout).toBe(143)
  expect(stopped.result).toMatchObject({outcome: 'interrupted', exit: 143})
  expect(String(stopped.result['message'])).toContain('--resume')
  expect(bed.sim.calls({method: 'DELETE'})).toEqual([])

  const resumed = await bed.zdd(['-j', v1, '-r', ...FAST], {timeoutMs: 90_000})
  expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0)
  expect(resumed.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => c.path)).toEqual(['/v2/apps/nginx-green'])
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(3)
}, 100_000)
