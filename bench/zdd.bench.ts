/**
 * zdd end-to-end benchmark: the wall time of a 10-instance blue/green (`mlb zdd`, the built CLI)
 * against the Marathon simulator with real task processes, behind one `mlb serve` daemon with a
 * real HAProxy, compared with the time the simulated tasks themselves take to start (staging,
 * starting, first passing health check) and to drain (kill grace period). The simulator's call log
 * and event history split the run into rounds (create/scale → new tasks healthy → kill/delete),
 * so the report shows where the rest of the time goes: load balancer reload latency, polling
 * (`--step-delay`) and the CLI's own start-up. Target (issue 5): overhead ≤ 2 s.
 *
 * Usage: `npm run build && npx tsx bench/zdd.bench.ts [instances] [stepDelaySeconds]`. Prints JSON.
 */
import type {CallRecord, SimEvent, Simulator} from '../src/sim/index.js'
import {bedApp, firstDeployServed, startBed} from '../test/zdd-e2e-harness.js'

const STAGING_MS = 300
const STARTING_MS = 300
const TIME_SCALE = 0.1
/** Kill grace of the app, in its own (unscaled) seconds: 0.5 s with TIME_SCALE. */
const KILL_GRACE_S = 5

const at = (iso: string): number => Date.parse(iso)

/** One zdd round as the simulator saw it. */
interface Round {
  /** What started it: `create` or `scale N`. */
  readonly start: string
  /** ms from the create/scale call until that many new tasks were healthy (the tasks' own start time). */
  readonly taskStartMs: number
  /** ms from the tasks being healthy until zdd's next kill or delete (LB reload + polling + zdd). */
  readonly notifyMs: number
  /** ms from the kill until the killed tasks were gone (overlaps the next round's task start). */
  readonly drainMs: number | undefined
}

/** Time (epoch ms) at which `count` tasks of `appId` were alive after `from`, from the event history. */
function healthyAt(events: readonly SimEvent[], appId: string, count: number, from: number): number | undefined {
  const alive = new Set<string>()
  for (const e of events) {
    if (e.eventType !== 'health_status_changed_event' || e['appId'] !== appId) continue
    const id = String(e['instanceId'])
    if (e['alive'] === true) alive.add(id)
    else alive.delete(id)
    if (alive.size >= count && at(e.timestamp) >= from) return at(e.timestamp)
  }
  return undefined
}

/** Time the last of `taskIds` reached TASK_KILLED. */
function killedAt(events: readonly SimEvent[], taskIds: readonly string[]): number | undefined {
  const times = taskIds.map((id) => events.find((e) => e.eventType === 'status_update_event' && e['taskId'] === id && e['taskStatus'] === 'TASK_KILLED')).map((e) => (e === undefined ? undefined : at(e.timestamp)))
  return times.some((t) => t === undefined) ? undefined : Math.max(...(times as number[]))
}

function rounds(sim: Simulator, newId: string): Round[] {
  const calls = sim.calls().filter((c) => c.method !== 'GET')
  const events = sim.events()
  const out: Round[] = []
  const starts = calls.filter((c) => (c.method === 'POST' && c.path === '/v2/apps') || (c.method === 'PUT' && c.path === `/v2/apps${newId}`))
  for (const [i, c] of starts.entries()) {
    const target = c.method === 'POST' ? Number((c.body as {instances: number}).instances) : Number((c.body as {instances: number}).instances)
    const healthy = healthyAt(events, newId, target, c.time) ?? Number.NaN
    const end: CallRecord | undefined = calls.find((k) => k.time >= healthy && (k.path === '/v2/tasks/delete' || k.method === 'DELETE'))
    const ids = end?.path === '/v2/tasks/delete' ? ((end.body as {ids: string[]}).ids ?? []) : []
    const gone = ids.length === 0 ? undefined : killedAt(events, ids)
    out.push({start: i === 0 ? 'create' : `scale ${target}`, taskStartMs: healthy - c.time, notifyMs: (end?.time ?? Number.NaN) - healthy, drainMs: gone === undefined || end === undefined ? undefined : gone - end.time})
  }
  return out
}

async function main(): Promise<void> {
  const instances = Number(process.argv[2] ?? 10)
  const stepDelayS = Number(process.argv[3] ?? 0.1)
  const bed = await startBed({lbs: 1, taskPorts: {min: 30600, max: 30799}, sim: {stagingMs: STAGING_MS, startingMs: STARTING_MS, timeScale: TIME_SCALE, killTimeoutMs: 1000}})
  try {
    const extra = {taskKillGracePeriodSeconds: KILL_GRACE_S}
    await firstDeployServed(bed, bedApp(bed, instances, 'v1', extra), 120_000)
    bed.sim.clearHistory()
    const file = await bed.appFile('app-v2.json', bedApp(bed, instances, 'v2', extra))
    const t0 = performance.now()
    const r = await bed.zdd(['-j', file, '-f', '-s', String(stepDelayS), '-w', '60'], {timeoutMs: 300_000})
    const wallMs = performance.now() - t0
    if (r.code !== 0) throw new Error(`zdd exited ${String(r.code)}: ${r.stdout}\n${r.stderr}`)
    const rs = rounds(bed.sim, '/nginx-green')
    // The tasks' own time on the critical path: each round waits for its new tasks to be healthy
    // and, when the previous round's kill is still draining, for that drain (they overlap).
    const taskMs = rs.reduce((a, x, i) => a + Math.max(x.taskStartMs, i === 0 ? 0 : (rs[i - 1]?.drainMs ?? 0)), 0)
    const configuredStartMs = STAGING_MS + STARTING_MS
    const configuredDrainMs = KILL_GRACE_S * TIME_SCALE * 1000
    console.log(JSON.stringify({
      instances, stepDelayS, lbs: 1,
      configured: {taskStartMs: configuredStartMs, healthIntervalMs: 1000 * TIME_SCALE, drainMs: configuredDrainMs},
      rounds: rs.map((x) => ({...x, taskStartMs: Math.round(x.taskStartMs), notifyMs: Math.round(x.notifyMs), drainMs: x.drainMs === undefined ? undefined : Math.round(x.drainMs)})),
      configuredSumMs: rs.length * (configuredStartMs + configuredDrainMs),
      measuredTaskMs: Math.round(taskMs),
      zddDurationMs: r.result['durationMs'],
      cliWallMs: Math.round(wallMs),
      overheadMs: Math.round(wallMs - taskMs),
      overheadOfZddRunMs: Math.round(Number(r.result['durationMs']) - taskMs),
    }, null, 2))
  } finally {
    await bed.stop()
  }
}

await main()
