/**
 * Virtual-task mode at scale (issue 3): 5,000 apps × 5 tasks, `GET /v2/apps?embed=apps.tasks`
 * answered in under 1 s. The measured time is printed for the report.
 */
import {execFile} from 'node:child_process'

import {afterAll, expect, it} from 'vitest'

import type {Simulator} from '../../src/sim/simulator.js'
import {simulator, until} from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const fn of cleanups) await fn()
})

const APPS = 5000
const INSTANCES = 5

function apps(): unknown {
  return {
    apps: Array.from({length: APPS}, (_, i) => ({
      id: `/team-${Math.floor(i / 100)}/svc-${i}`,
      cmd: 'simulated',
      instances: INSTANCES,
      labels: {HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: `svc-${i}.example.com`},
      healthChecks: i % 2 === 0 ? [{protocol: 'HTTP', path: '/health', intervalSeconds: 60, gracePeriodSeconds: 300}] : [],
      portDefinitions: [{port: 0, protocol: 'tcp'}],
    })),
  }
}

/**
 * Times `GET url` from another process (as marathon-lb would call it), so the client's own JSON
 * work does not share the simulator's event loop. Prints `[ms, bytes]` per request.
 */
const CLIENT = `
const http = require('http')
const url = process.argv[1]
const n = Number(process.argv[2])
const out = []
function one(i) {
  if (i === n) { console.log(JSON.stringify(out)); return }
  const t0 = performance.now()
  http.get(url, (res) => {
    let bytes = 0
    res.on('data', (c) => (bytes += c.length))
    res.on('end', () => { out.push([performance.now() - t0, bytes, res.statusCode]); one(i + 1) })
  })
}
one(0)
`

function timeRequests(url: string, n: number): Promise<[number, number, number][]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CLIENT, url, String(n)], {timeout: 30_000}, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as [number, number, number][])))
  })
}

it(`serves ${APPS} apps × ${INSTANCES} virtual tasks with embed=apps.tasks in under 1 s`, async () => {
  const t0 = performance.now()
  const sim: Simulator = await simulator({virtualTasks: true, apps: apps(), stagingMs: 0, startingMs: 0, taskPorts: {min: 20000, max: 60000}}, (fn) => cleanups.push(fn))
  await until(() => sim.tasks().filter((t) => t.state === 'TASK_RUNNING').length === APPS * INSTANCES, 30_000, 'all tasks running')
  const loaded = performance.now() - t0
  const timed = await timeRequests(`${sim.url}/v2/apps?embed=apps.tasks`, 5)
  const times = timed.map(([ms]) => ms)
  expect(timed.every(([, , status]) => status === 200)).toBe(true)
  const body = (await (await fetch(`${sim.url}/v2/apps?embed=apps.tasks`)).json()) as {apps: {tasks: unknown[]}[]}
  expect(body.apps).toHaveLength(APPS)
  expect(body.apps.every((a) => a.tasks.length === INSTANCES)).toBe(true)
  console.log(`[sim scale] load+start ${loaded.toFixed(0)} ms; GET /v2/apps?embed=apps.tasks ${((timed[0]?.[1] ?? 0) / 1e6).toFixed(1)} MB in ${times.map((t) => t.toFixed(0)).join(' / ')} ms`)
  // Measured on an idle 2-core machine: cold (JIT, JSON text caches) ≈ 0.5–0.7 s, warm ≈ 0.06–0.3 s.
  // Other test files (and other work) share the cores, so the median is held to 1 s and the
  // slowest, usually the cold one, only loosely.
  expect([...times].sort((a, b) => a - b)[2]).toBeLessThan(1000)
  expect(Math.max(...times)).toBeLessThan(3000)
})
