/**
 * Exit codes 9 (scale failed) and 8 (delete failed) in the middle of a real swap (simulator +
 * `mlb serve` + HAProxy), with a pass-through Marathon proxy that refuses exactly that call, and
 * `--resume` finishing each deploy afterwards. Nothing is deleted unless the swap got there, and a
 * new release that never turns healthy changes nothing of the old one; with --deploy-timeout zdd
 * stops on it with exit 10.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'

import {bedApp, firstDeployServed, startBed, startFaultyMarathon, startVersionLoad, writes, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed

beforeAll(async () => {
  bed = await startBed({lbs: 1, taskPorts: {min: 30500, max: 30599}})
  await firstDeployServed(bed, bedApp(bed, 2, 'v1'))
}, 90_000)

afterAll(async () => {
  await bed?.stop()
}, 60_000)

const FAST = ['-f', '-s', '0.2', '-w', '30']

it('Marathon refuses the scale-up of the new colour: exit 9, old app kept; --resume finishes', async () => {
  bed.sim.log.clear()
  const proxy = await startFaultyMarathon(bed.sim.url, (method, path) => method === 'PUT' && path === '/v2/apps/nginx-green')
  try {
    const v2 = await bed.appFile('app-v2.json', bedApp(bed, 2, 'v2'))
    const r = await bed.zdd(['-j', v2, ...FAST], {marathon: proxy.url, timeoutMs: 60_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(9)
    expect(r.result).toMatchObject({outcome: 'failed', exit: 9, code: 'MLB_ERR_ZDD_APP_SCALE', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    expect(String(r.result['message'])).toContain('HTTP 503')
    expect(writes(bed.sim).filter((w) => w.startsWith('DELETE'))).toEqual([])
    expect(bed.sim.tasks('/nginx-blue').length).toBeGreaterThan(0)
  } finally {
    await proxy.close()
  }
  const resumed = await bed.zdd(['-j', await bed.appFile('app-v2.json', bedApp(bed, 2, 'v2')), '-r', ...FAST], {timeoutMs: 60_000})
  expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0)
  expect(resumed.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-blue 200'])
}, 100_000)

it('Marathon refuses the delete of the old colour: exit 8 (zdd.py: 2), old app still there; --resume deletes it', async () => {
  bed.sim.log.clear()
  const v3 = await bed.appFile('app-v3.json', bedApp(bed, 2, 'v3'))
  const proxy = await startFaultyMarathon(bed.sim.url, (method, path) => method === 'DELETE' && path === '/v2/apps/nginx-green')
  try {
    const r = await bed.zdd(['-j', v3, ...FAST], {marathon: proxy.url, timeoutMs: 60_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(8)
    expect(r.result).toMatchObject({outcome: 'failed', exit: 8, code: 'MLB_ERR_ZDD_APP_DELETE', newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
    expect(bed.sim.calls({method: 'DELETE'})).toEqual([])
    const apps = (await (await fetch(`${bed.sim.url}/v2/apps`)).json()) as {apps: {id: string}[]}
    expect(apps.apps.map((a) => a.id).sort()).toEqual(['/nginx-blue', '/nginx-green'])
  } finally {
    await proxy.close()
  }
  const resumed = await bed.zdd(['-j', v3, '-r', ...FAST], {timeoutMs: 60_000})
  expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0)
  expect(resumed.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-green 200'])
}, 100_000)

/** The bad release (green): its health check is answered with 503, so it never turns healthy. */
const badRelease = async (): Promise<string> =>
  bed.appFile('app-bad.json', bedApp(bed, 2, 'bad', {healthChecks: [{protocol: 'HTTP', path: '/?status=503', portIndex: 0, timeoutSeconds: 2, gracePeriodSeconds: 15, intervalSeconds: 1, maxConsecutiveFailures: 10}]}))

/** Runs `zdd` under client load and checks that the old colour (blue) kept every task and all the traffic. */
async function blueKeepsEverything(zdd: () => Promise<void>): Promise<void> {
  const load = startVersionLoad(bed.lbs, {concurrency: 2, durationMs: 60_000, maxRequests: 50_000})
  let totals
  try {
    await zdd()
  } finally {
    totals = await load.stop()
  }
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(2)
  expect(totals.failed).toBe(0)
  expect(Object.keys(totals.byApp)).toEqual(['/nginx-blue'])
  // Traffic flowed the whole time (hundreds of requests per second here; a loaded CI host is slower).
  expect(totals.requests).toBeGreaterThan(20)
}

it('a new release that never turns healthy: the old colour keeps every task and all the traffic; SIGTERM → 143', async () => {
  // After the two runs above blue serves.
  bed.sim.log.clear()
  await blueKeepsEverything(async () => {
    const r = await bed.zddSignalled(['-j', await badRelease(), ...FAST], 6000, 'SIGTERM', 60_000)
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(143)
    expect(r.result).toMatchObject({outcome: 'interrupted', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    // It waited for Marathon's deployment of the bad release the whole time.
    const steps = r.events.filter((e) => e.type === 'step').map((e) => (e['step'] as {kind: string}).kind)
    expect(new Set(steps)).toEqual(new Set(['waitDeployment']))
  })
  expect(writes(bed.sim)).toEqual(['POST /v2/apps'])
}, 100_000)

it('--deploy-timeout on that release: --resume stops with exit 10 after the bound, nothing killed or deleted, the old colour serves', async () => {
  // The test above left the bad release deploying next to blue.
  bed.sim.log.clear()
  await blueKeepsEverything(async () => {
    const r = await bed.zdd(['-j', await badRelease(), '-r', '--deploy-timeout', '2', ...FAST], {timeoutMs: 30_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(10)
    expect(r.result).toMatchObject({outcome: 'failed', exit: 10, code: 'MLB_ERR_ZDD_DEPLOY_TIMEOUT', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    expect(String(r.result['message'])).toMatch(/^Marathon's deployment of \/nginx-green did not finish within --deploy-timeout of 2s \(\/nginx-green has \d+ of 1 tasks, \/nginx-blue has 2\); .* --resume/)
    // About the bound: it waited at least 2 s, and stopped well before the 30 s test limit.
    expect(Number(r.result['durationMs'])).toBeGreaterThanOrEqual(2000)
    expect(Number(r.result['durationMs'])).toBeLessThan(15_000)
  })
  expect(writes(bed.sim)).toEqual([])
}, 60_000)
