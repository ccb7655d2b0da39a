/**
 * Virtual-task mode at scale (issue 3): 5,000 apps × 5 tasks are started and served completely
 * by `GET /v2/apps?embed=apps.tasks`. The speed target (under 1 s) is measured by
 * `bench/sim.bench.ts`, not asserted here: timings on a shared CI machine are not a test.
 */
import {afterAll, expect, it} from 'vitest'

import {timeGets, virtualScaleApps} from '../../bench/sim-scale.js'
import type {Simulator} from '../../src/sim/simulator.js'
import {simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const fn of cleanups) await fn()
})

const APPS = 5000
const INSTANCES = 5

it(`serves ${APPS} apps × ${INSTANCES} virtual tasks with embed=apps.tasks`, async () => {
  const t0 = performance.now()
  const sim: Simulator = await simulator({virtualTasks: true, apps: virtualScaleApps(APPS, INSTANCES), stagingMs: 0, startingMs: 0, taskPorts: {min: 20000, max: 60000}}, (fn) => cleanups.push(fn))
  await until(() => sim.tasks().filter((t) => t.state === 'TASK_RUNNING').length === APPS * INSTANCES, 30_000, 'all tasks running')
  const loaded = performance.now() - t0
  const timed = await timeGets(`${sim.url}/v2/apps?embed=apps.tasks`, 5)
  const times = timed.map(([ms]) => ms)
  expect(timed.every(([, , status]) => status === 200)).toBe(true)
  const body = (await (await fetch(`${sim.url}/v2/apps?embed=apps.tasks`)).json()) as {apps: {tasks: unknown[]}[]}
  expect(body.apps).toHaveLength(APPS)
  expect(body.apps.every((a) => a.tasks.length === INSTANCES)).toBe(true)
  console.log(`[sim scale] load+start ${loaded.toFixed(0)} ms; GET /v2/apps?embed=apps.tasks ${((timed[0]?.[1] ?? 0) / 1e6).toFixed(1)} MB in ${times.map((t) => t.toFixed(0)).join(' / ')} ms`)
})
