/**
 * A long-lived connection held open through the load balancer during a deploy (simulator +
 * `mlb serve` + HAProxy). The held requests keep an old HAProxy worker (and old servers) busy, so
 * the old tasks never drain: the deploy must still finish, each wait bounded by `--max-wait`, and
 * say what it waited for and what it killed while still draining.
 */
import {Agent, request} from 'undici'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {VHOST, bedApp, bedBackend, firstDeployServed, startBed, waitForServers, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed

beforeAll(async () => {
  bed = await startBed({lbs: 1, taskPorts: {min: 30400, max: 30499}})
}, 90_000)

afterAll(async () => {
  await bed?.stop()
}, 60_000)

const MAX_WAIT_S = 3

it('held connections: the deploy finishes within --max-wait per round and reports what it waited for', async () => {
  await firstDeployServed(bed, bedApp(bed, 2, 'v1'))
  const lb = bed.lbs[0]!
  // One slow request per old server (roundrobin): each holds a session for up to a minute.
  const agent = new Agent({connections: 4, headersTimeout: 70_000, bodyTimeout: 70_000})
  const held = [0, 1].map(() =>
    request(`http://127.0.0.1:${lb.httpPort}/?sleep=60000`, {dispatcher: agent, headers: {host: VHOST}})
      .then(async (res) => `HTTP ${res.statusCode} ${await res.body.text()}`)
      .catch((err: unknown) => `error ${(err as {code?: string}).code ?? String(err)}`),
  )
  try {
    await waitForServers(bed.lbs, bedBackend(bed), (rows) => rows.filter((r) => r.scur === 1).length === 2, 10_000, 'one held session on each old server')
    const file = await bed.appFile('app-v2.json', bedApp(bed, 2, 'v2'))
    const r = await bed.zdd(['-j', file, '-f', '-s', '0.2', '-w', String(MAX_WAIT_S)], {timeoutMs: 60_000})
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(r.result).toMatchObject({outcome: 'deployed', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    expect(bed.sim.calls({method: 'DELETE'}).map((c) => `${c.path} ${c.status}`)).toEqual(['/v2/apps/nginx-blue 200'])

    // What it waited for: the step events name the reason (an LB still reloading, or a task
    // still draining) and a warning names each action taken after --max-wait.
    const waits = r.events.filter((e) => e.type === 'step' && (e['step'] as {kind: string}).kind === 'waitLb').map((e) => (e['step'] as {reason: string}).reason)
    expect(waits.some((w) => w.includes('reloading') || w.includes('drain')), waits.join('\n')).toBe(true)
    const warnings = r.events.filter((e) => e.type === 'warning').map((e) => String(e['message']))
    expect(warnings.length, r.stdout).toBeGreaterThan(0)
    for (const w of warnings) expect(w).toContain(`--max-wait of ${MAX_WAIT_S}s passed`)
    // Every round waits at most --max-wait: 2 instances are at most 2 rounds, plus start-up and polling.
    const rounds = r.events.filter((e) => e.type === 'killed' || e.type === 'deleted').length
    expect(rounds).toBeLessThanOrEqual(2)
    expect(Number(r.result['durationMs'])).toBeLessThan(rounds * MAX_WAIT_S * 1000 + 15_000)
    console.log(`longconn: deployed in ${String(r.result['durationMs'])} ms; waits: ${[...new Set(waits)].join(' | ')}; warnings: ${warnings.join(' | ')}`)
  } finally {
    // The held requests end when their tasks are killed (or time out): bounded either way.
    const outcomes = await Promise.race([Promise.all(held), new Promise<string[]>((r) => setTimeout(() => r(['still open']), 20_000))])
    console.log(`longconn: held requests ended: ${outcomes.join(' | ').slice(0, 300)}`)
    await agent.destroy()
  }
}, 110_000)
