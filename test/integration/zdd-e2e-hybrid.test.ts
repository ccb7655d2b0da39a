/**
 * Issue 5's hybrid proof with a real `mlb serve` + HAProxy: `--new-instances 2` on a 10-instance
 * app leaves 8 old and 2 new tasks serving and about 20 % of the requests answered by the new
 * colour; `--complete-cur` then moves everything to the new colour and deletes the old app, and
 * in a second hybrid round `--complete-prev` rolls back to the previous colour and deletes the
 * newest. A bounded load runs through every zdd call: 0 failed requests throughout.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'

import {allUp, bedApp, bedBackend, firstDeployServed, sampleVersions, startBed, startVersionLoad, waitForServers, type Bed, type VersionTotals} from '../zdd-e2e-harness.js'

let bed: Bed
let failed = 0

beforeAll(async () => {
  bed = await startBed({lbs: 1, taskPorts: {min: 30100, max: 30199}})
}, 90_000)

afterAll(async () => {
  await bed?.stop()
}, 60_000)

/** Runs zdd with `args` while a load goes through the LB; returns the load's totals. */
async function zddUnderLoad(args: readonly string[], outcome: string): Promise<VersionTotals> {
  const load = startVersionLoad(bed.lbs, {concurrency: 2, durationMs: 90_000, maxRequests: 50_000})
  let totals: VersionTotals | undefined
  try {
    const r = await bed.zdd([...args, '-f', '-s', '0.2', '-w', '30'], {timeoutMs: 90_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(r.result).toMatchObject({outcome, exit: 0})
  } finally {
    totals = await load.stop()
    console.log(`hybrid: zdd ${args.join(' ')}: load ${JSON.stringify({requests: totals.requests, failed: totals.failed, byApp: totals.byApp})}`)
    failed += totals.failed
  }
  return totals
}

/** Share of `appId` in a sample of `n` requests once the LB serves 10 tasks UP. */
async function share(appId: string, n: number): Promise<{share: number; sample: VersionTotals}> {
  await waitForServers(bed.lbs, bedBackend(bed), allUp(10), 30_000, '10 UP servers')
  const sample = await sampleVersions(bed.lbs, n)
  return {share: (sample.byApp[appId] ?? 0) / sample.ok, sample}
}

it('--new-instances 2 on 10: 8 old + 2 new serve, ~20 % new; --complete-cur → all new, old deleted; --complete-prev rolls back', async () => {
  const v1 = await firstDeployServed(bed, bedApp(bed, 10, 'v1'))
  bed.sim.log.clear()

  // Hybrid split towards green.
  await zddUnderLoad(['-j', await bed.appFile('app-v2.json', bedApp(bed, 10, 'v2')), '-n', '2'], 'hybrid')
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(8)
  expect(bed.sim.tasks('/nginx-green')).toHaveLength(2)
  const hybrid = await share('/nginx-green', 500)
  console.log(`hybrid: share of /nginx-green ${hybrid.share.toFixed(3)} over ${hybrid.sample.ok} requests ${JSON.stringify(hybrid.sample.byApp)}`)
  expect(hybrid.sample.failed).toBe(0)
  expect(Object.keys(hybrid.sample.byApp).sort()).toEqual(['/nginx-blue', '/nginx-green'])
  // roundrobin over 10 servers, 2 of them green: 0.2, give or take the servers' order in a cycle.
  expect(hybrid.share).toBeGreaterThan(0.15)
  expect(hybrid.share).toBeLessThan(0.25)
  expect(bed.sim.calls({method: 'DELETE'})).toEqual([])

  // --complete-cur: everything to green, blue deleted.
  await zddUnderLoad(['-j', v1, '-c'], 'deployed')
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-blue 200'])
  expect(bed.sim.tasks('/nginx-green')).toHaveLength(10)
  expect((await share('/nginx-green', 200)).share).toBe(1)

  // A second hybrid round (green is the previous colour now, blue the new one), rolled back.
  bed.sim.log.clear()
  await zddUnderLoad(['-j', await bed.appFile('app-v3.json', bedApp(bed, 10, 'v3')), '-n', '2'], 'hybrid')
  expect(bed.sim.tasks('/nginx-green')).toHaveLength(8)
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(2)
  const second = await share('/nginx-blue', 300)
  expect(second.share).toBeGreaterThan(0.12)
  expect(second.share).toBeLessThan(0.28)
  await zddUnderLoad(['-j', v1, '-p'], 'deployed')
  expect(bed.sim.calls({method: 'DELETE'}).map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-blue 200'])
  expect(bed.sim.tasks('/nginx-green')).toHaveLength(10)
  expect((await share('/nginx-green', 200)).share).toBe(1)

  expect(failed).toBe(0)
}, 150_000)
