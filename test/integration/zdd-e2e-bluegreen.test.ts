/**
 * Issue 5's first proof: a full blue/green of a 4-instance app through TWO load balancers (two
 * `mlb serve` daemons, each with its own HAProxy, watching one simulated Marathon) while a
 * bounded load goes through both. Every request must be answered, and only by the old or the
 * new colour; the old app is deleted at the end (simulator call log).
 */
import {afterAll, beforeAll, expect, it} from 'vitest'

import {allUp, bedApp, bedBackend, firstDeployServed, killedTaskIds, sampleVersions, startBed, startVersionLoad, waitForServers, waitUntil, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed

beforeAll(async () => {
  bed = await startBed({lbs: 2, taskPorts: {min: 30000, max: 30099}})
}, 90_000)

afterAll(async () => {
  await bed?.stop()
}, 60_000)

it('4 instances, two load balancers, load through both: 0 failed, old or new only, old app deleted, exit 0', async () => {
  await firstDeployServed(bed, bedApp(bed, 4, 'v1'))
  const blueTasks = bed.sim.tasks('/nginx-blue').map((t) => t.id)
  expect(blueTasks).toHaveLength(4)
  bed.sim.log.clear()

  const load = startVersionLoad(bed.lbs, {concurrency: 2, durationMs: 100_000, maxRequests: 50_000})
  try {
    await waitUntil(() => (load.byApp()['/nginx-blue'] ?? 0) >= 20, 10_000, 'the load to reach the blue app')
    const file = await bed.appFile('app-v2.json', bedApp(bed, 4, 'v2'))
    const r = await bed.zdd(['-j', file, '-f', '-s', '0.2', '-w', '30'], {timeoutMs: 90_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(r.result).toMatchObject({type: 'result', outcome: 'deployed', exit: 0, newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    // The LBs catch up with the deletion; the load keeps going meanwhile.
    await waitForServers(bed.lbs, bedBackend(bed), allUp(4), 30_000, '4 green servers UP on every LB')
    await waitUntil(() => (load.byApp()['/nginx-green'] ?? 0) >= 20, 10_000, 'the load to reach the green app')
  } finally {
    const totals = await load.stop()
    // Reported before the assertions so a failure shows the whole picture.
    console.log(`bluegreen load: ${JSON.stringify({requests: totals.requests, failed: totals.failed, byApp: totals.byApp, perLb: totals.perLb.map((t) => ({requests: t.requests, statuses: t.statuses, errors: t.errorCodes}))})}`)
    expect(totals.failed).toBe(0)
    expect(totals.unidentified).toBe(0)
    expect(Object.keys(totals.byApp).sort()).toEqual(['/nginx-blue', '/nginx-green'])
    for (const lb of totals.perLb) expect(lb.requests).toBeGreaterThan(50)
  }

  // Marathon saw: the green app created, blue tasks killed with scale=true, green scaled up, blue deleted.
  expect(bed.sim.calls({method: 'POST', path: '/v2/apps'}).map((c) => (c.body as {id: string}).id)).toEqual(['/nginx-green'])
  const killed = killedTaskIds(bed.sim)
  expect(killed.length).toBeGreaterThan(0)
  expect(killed.filter((id) => !blueTasks.includes(id))).toEqual([])
  expect(bed.sim.calls({method: 'POST', path: '/v2/tasks/delete'}).every((c) => c.query.includes('scale=true'))).toBe(true)
  const deletes = bed.sim.calls({method: 'DELETE'})
  expect(deletes.map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-blue 200'])
  expect(bed.sim.tasks('/nginx-blue')).toHaveLength(0)
  // Afterwards both LBs answer from green only.
  const after = await sampleVersions(bed.lbs, 40)
  expect(after.failed).toBe(0)
  expect(after.byApp).toEqual({'/nginx-green': 80})
}, 120_000)
