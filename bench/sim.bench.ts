/**
 * Simulator at scale (issue 3 target: 5,000 apps × 5 virtual tasks answered by
 * `GET /v2/apps?embed=apps.tasks` in under 1 s). Run: `npx tsx bench/sim.bench.ts`.
 * Prints the load+start time and each request's time (the first one is cold), as JSON.
 */
import {loadavg} from 'node:os'

import {startSimulator} from '../src/sim/index.js'
import {timeGets, virtualScaleApps} from './sim-scale.js'

const APPS = 5000
const INSTANCES = 5
const t0 = performance.now()
const sim = await startSimulator({virtualTasks: true, apps: virtualScaleApps(APPS, INSTANCES), stagingMs: 0, startingMs: 0, taskPorts: {min: 20000, max: 60000}})
try {
  const deadline = Date.now() + 60_000
  while (sim.tasks().filter((t) => t.state === 'TASK_RUNNING').length < APPS * INSTANCES) {
    if (Date.now() > deadline) throw new Error('tasks did not all start within 60 s')
    await new Promise((r) => setTimeout(r, 50))
  }
  const loadedMs = performance.now() - t0
  const timed = await timeGets(`${sim.url}/v2/apps?embed=apps.tasks`, 7)
  const ms = timed.map(([t]) => Math.round(t))
  const warm = ms.slice(1).sort((a, b) => a - b)
  console.log(JSON.stringify({bench: 'sim-apps-embed-tasks', apps: APPS, tasksPerApp: INSTANCES, bytes: timed[0]?.[1], loadAndStartMs: Math.round(loadedMs), coldMs: ms[0], warmMedianMs: warm[Math.floor(warm.length / 2)], allMs: ms, target: 'under 1000 ms', loadavg: loadavg().map((l) => l.toFixed(2))}))
} finally {
  await sim.stop()
}
