/**
 * `mlb serve` daemon benchmark (issue 4 "Proof", bench/): the in-process daemon, the simulator and
 * a real HAProxy on loopback. For each state size (default 100 and 1,000 apps):
 *
 * - latency: scale one app with real tasks (the others are virtual tasks, which cannot receive
 *   traffic) from 1 to 2 instances, 50 times; time from the simulator's `status_update_event`
 *   TASK_RUNNING of the new task to the first response HAProxy gets from that task, while 2
 *   paced loops send requests (keep-alive off) through the app's service port;
 * - at the largest size: a storm of 1,000 routing events in 10 s (scale changes of virtual apps),
 *   counting reloads and failed requests; then one bad app among them (with 20 blue/green pairs
 *   present) found by bisection: wall time and `haproxy -c` runs.
 *
 * Usage: `npx tsx bench/serve-daemon.bench.ts [sizes, default 100,1000] [scale events, default 50]`
 * (env MLB_BENCH_ARGS: extra daemon flags as JSON, MLB_BENCH_TIMING: scheduler timing as JSON).
 * Prints one JSON object per phase.
 */
import {startSimulator, type Simulator} from '../src/sim/index.js'
import {logLines, startTestDaemon, until, type TestDaemon} from '../test/daemon-harness.js'
import {startLoad} from '../test/load-generator.js'
import {request} from 'undici'

const PAIRS = 20

function pct(samples: readonly number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b)
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 10) / 10
}

function stateOf(n: number): unknown[] {
  // A 1 s kill grace period: a scaled-down task keeps serving while mlb takes it out (as Marathon's).
  const apps: unknown[] = [{id: '/scaled', cmd: 'x', instances: 1, taskKillGracePeriodSeconds: 1, portDefinitions: [{port: 0}]}]
  for (let i = 0; i < PAIRS && apps.length < n - 1; i++) {
    const group = {HAPROXY_DEPLOYMENT_GROUP: `bg-${i}`, HAPROXY_DEPLOYMENT_ALT_PORT: String(26500 + i), HAPROXY_0_PORT: String(26000 + i)}
    apps.push({id: `/bg-${i}-blue`, cmd: 'x', instances: 1, portDefinitions: [{port: 0}], labels: {...group, HAPROXY_DEPLOYMENT_COLOUR: 'blue', HAPROXY_DEPLOYMENT_STARTED_AT: '2020-01-01T00:00:00.000Z'}})
    apps.push({id: `/bg-${i}-green`, cmd: 'x', instances: 1, portDefinitions: [{port: 0}], labels: {...group, HAPROXY_DEPLOYMENT_COLOUR: 'green', HAPROXY_DEPLOYMENT_STARTED_AT: '2020-01-01T00:01:00.000Z', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '1', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '1'}})
  }
  for (let i = 0; apps.length < n; i++) apps.push({id: `/app-${String(i).padStart(4, '0')}`, cmd: 'x', instances: 1, portDefinitions: [{port: 0}]})
  return apps
}

async function put(sim: Simulator, id: string, body: unknown): Promise<void> {
  const res = await request(`${sim.url}/v2/apps${id}?force=true`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
  await res.body.dump()
  if (res.statusCode !== 200) throw new Error(`PUT ${id}: ${res.statusCode}`)
}

/**
 * Two request loops through `port`, about 2 ms apart each (a few hundred requests a second, so
 * the generator does not starve the daemon on a 2-core machine), noting when each task id first
 * answered.
 */
function watchTraffic(port: number): {firstSeen: Map<string, number>; stop(): Promise<{requests: number; failed: number}>} {
  const firstSeen = new Map<string, number>()
  let stopped = false
  let requests = 0
  let failed = 0
  const loop = async (): Promise<void> => {
    for (let i = 0; !stopped && i < 10_000_000; i++) {
      try {
        const res = await request(`http://127.0.0.1:${port}/`, {headers: {connection: 'close'}, reset: true, headersTimeout: 5000, bodyTimeout: 5000})
        const body = await res.body.text()
        requests++
        if (res.statusCode !== 200) failed++
        else {
          const id = (JSON.parse(body) as {taskId: string}).taskId
          if (!firstSeen.has(id)) firstSeen.set(id, Date.now())
        }
      } catch {
        requests++
        failed++
      }
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  const loops = Array.from({length: 2}, loop)
  return {firstSeen, stop: async () => ((stopped = true), await Promise.all(loops), {requests, failed})}
}

async function latency(sim: Simulator, t: TestDaemon, n: number, events: number): Promise<void> {
  const port = sim.engine.store.apps.get('/scaled')!.def.portDefinitions[0]!.port
  const traffic = watchTraffic(port)
  const samples: number[] = []
  const reloadsBefore = logLines(t.logger, /^reloaded HAProxy$/).length
  try {
    for (let i = 0; i < events; i++) {
      const before = new Set(sim.tasks('/scaled').map((x) => x.id))
      await put(sim, '/scaled', {instances: 2})
      let running: {taskId: string; at: number} | undefined
      await until(() => {
        const e = sim.events(['status_update_event']).find((x) => x['taskStatus'] === 'TASK_RUNNING' && x['appId'] === '/scaled' && !before.has(String(x['taskId'])))
        if (e !== undefined) running = {taskId: String(e['taskId']), at: Date.parse(e.timestamp)}
        return running !== undefined
      }, 10_000, 'new task running')
      await until(() => traffic.firstSeen.has(running!.taskId), 10_000, 'new task receives traffic')
      samples.push(traffic.firstSeen.get(running!.taskId)! - running!.at)
      await put(sim, '/scaled', {instances: 1})
      await until(() => sim.tasks('/scaled').length === 1, 10_000, 'scaled back')
      await t.daemon.idle()
      sim.clearHistory()
    }
  } finally {
    const totals = await traffic.stop()
    const reloads = logLines(t.logger, /^reloaded HAProxy$/).length - reloadsBefore
    const runs = logLines(t.logger, /^resync done$/).slice(-2 * events)
    const median = (key: string): number => pct(runs.map((r) => Number(r.fields[key])), 0.5)
    const deploys = logLines(t.logger, /^reloaded HAProxy$/).slice(-reloads)
    const phase = (key: string): number => pct(deploys.map((r) => Number(r.fields[key])), 0.5)
    const deploy = {validateMs: phase('validateMs'), writeMs: phase('writeMs'), reloadMs: phase('reloadMs')}
    const runtimeApplies = logLines(t.logger, /^applied through the runtime API/).length
    console.log(JSON.stringify({phase: 'event-to-traffic', apps: n, runtimeApplies, resyncMedianMs: median('durationMs'), resyncWaitMedianMs: median('waitedMs'), deployMedian: deploy, scaleEvents: samples.length, p50Ms: pct(samples, 0.5), p99Ms: pct(samples, 0.99), maxMs: pct(samples, 1), reloads, requests: totals.requests, failedRequests: totals.failed}))
  }
}

async function storm(sim: Simulator, t: TestDaemon, n: number): Promise<void> {
  const port = sim.engine.store.apps.get('/scaled')!.def.portDefinitions[0]!.port
  const load = startLoad({url: `http://127.0.0.1:${port}/`, concurrency: 4, keepAlive: false, durationMs: 60_000})
  await t.daemon.idle()
  const reloadsBefore = logLines(t.logger, /^reloaded HAProxy$/).length
  const resyncsBefore = logLines(t.logger, /^resync done$/).length
  const received = (): number => t.logger.records.filter((r) => r.msg.startsWith('received event of type') && r.fields['ignored'] !== true).length
  const eventsBefore = received()
  const plain = sim.engine.store.apps.size - 1 - 2 * PAIRS
  const t0 = Date.now()
  // Each scale change of a virtual app is an api_post_event and a task event (RUNNING or KILLED): two routing events.
  for (let i = 0; i < 500 && Date.now() - t0 < 15_000; i++) {
    const due = t0 + i * 20
    if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()))
    const k = i % plain
    await put(sim, `/app-${String(k).padStart(4, '0')}`, {instances: Math.floor(i / plain) % 2 === 0 ? 2 : 1})
  }
  const sentMs = Date.now() - t0
  await new Promise((r) => setTimeout(r, 1500))
  await t.daemon.idle()
  const totals = await load.stop()
  console.log(JSON.stringify({
    phase: 'storm', apps: n, routingEventsReceived: received() - eventsBefore, sentInMs: sentMs, reloads: logLines(t.logger, /^reloaded HAProxy$/).length - reloadsBefore,
    resyncs: logLines(t.logger, /^resync done$/).length - resyncsBefore, requests: totals.requests, non2xx: totals.non2xx, connectionErrors: totals.errors, keepAlive: false,
  }))
}

async function bisection(sim: Simulator, t: TestDaemon, n: number): Promise<void> {
  await t.daemon.idle()
  const checksBefore = await t.checks()
  const t0 = Date.now()
  const res = await request(`${sim.url}/v2/apps`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({id: '/app-0500-bad', cmd: 'x', instances: 1, labels: {HAPROXY_0_BALANCE: 'no-such-algorithm'}, portDefinitions: [{port: 0}]})})
  await res.body.dump()
  await until(() => logLines(t.logger, /^excluded app \/app-0500-bad:/).length > 0, 60_000, 'bad app excluded')
  const wallMs = Date.now() - t0
  await t.daemon.idle()
  const done = logLines(t.logger, /^bisection done$/).at(-1)
  const skipped = logLines(t.logger, /^excluded app \/bg-/).length
  console.log(JSON.stringify({phase: 'bisection', apps: n + 1, blueGreenPairs: PAIRS, pairsSkipped: skipped, units: done?.fields['units'], bisectionMs: done?.fields['durationMs'], validations: done?.fields['validations'], haproxyCheckRunsSinceAdd: (await t.checks()) - checksBefore, eventToExcludedMs: wallMs, excluded: [...t.daemon.excluded().keys()]}))
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number)
  const events = Number(process.argv[3] ?? 50)
  for (const n of sizes) {
    const sim = await startSimulator({servicePorts: {min: 24000, max: 25999}, taskPorts: {min: 27000, max: 29999}, virtualTasks: true, realTaskApps: ['/scaled'], apps: {apps: stateOf(n)}})
    let t: TestDaemon | undefined
    try {
      await sim.waitFor(() => sim.tasks().filter((x) => x.state === 'TASK_RUNNING').length >= n, 60_000)
      const t0 = Date.now()
      const timing = process.env['MLB_BENCH_TIMING'] === undefined ? {} : {timing: JSON.parse(process.env['MLB_BENCH_TIMING']) as object}
      // MLB_BENCH_ARGS: extra `mlb serve` flags as a JSON array, e.g. '["--no-runtime-api"]' for the reload-only baseline.
      const args = JSON.parse(process.env['MLB_BENCH_ARGS'] ?? '[]') as string[]
      t = await startTestDaemon({marathon: [sim.url], config: timing, args})
      await t.daemon.idle()
      console.log(JSON.stringify({phase: 'start', apps: n, startMs: Date.now() - t0}))
      sim.clearHistory()
      await latency(sim, t, n, events)
      if (n === Math.max(...sizes)) {
        await storm(sim, t, n)
        await bisection(sim, t, n)
      }
    } finally {
      await t?.stop()
      await sim.stop()
    }
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
