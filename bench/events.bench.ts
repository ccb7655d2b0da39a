/**
 * Benchmark of the event-to-resync decision (style rule 14): parse one SSE `data:` payload,
 * decide whether it can change routing, mark the scheduler dirty. Seeded storms of 1, 100,
 * 1,000 and 10,000 events (status updates in all states, health changes and `api_post_event`s
 * carrying a full app definition), spread over 10 s of fake time, after a warm-up. Prints one JSON
 * line per size: per-event p50/p99 in microseconds, events/s, and the resyncs the storm caused.
 *
 * Usage: `tsx bench/events.bench.ts`
 */
import {nullLogger} from '../src/log.js'
import {isRoutingEvent, parseEventData} from '../src/marathon/event-types.js'
import {Scheduler} from '../src/serve/scheduler.js'
import {FakeClock} from '../test/watch-fake-clock.js'
import {prng} from './gen-state.js'

const STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED', 'TASK_FAILED']

/** One Marathon-shaped payload (marathon-api §7.3), chosen by the seeded random source. */
function payload(rand: () => number, i: number): string {
  const app = `/group-${i % 37}/app-${i % 101}`
  const r = rand()
  if (r < 0.7) {
    return JSON.stringify({slaveId: 'agent-S1', taskId: `${app.slice(1).replace(/\//g, '_')}.instance-${i}._app.1`, taskStatus: STATES[Math.floor(rand() * STATES.length)], message: '', appId: app, host: `10.0.${i % 250}.${i % 200}`, ipAddresses: [{ipAddress: '172.17.0.2', protocol: 'IPv4'}], ports: [31000 + (i % 1000)], version: '2024-05-01T10:00:00.000Z', eventType: 'status_update_event', timestamp: '2024-05-01T10:00:01.000Z'})
  }
  if (r < 0.9) return JSON.stringify({appId: app, instanceId: `x.marathon-${i}`, version: 'v', alive: rand() < 0.5, eventType: 'health_status_changed_event', timestamp: 't'})
  const labels = Object.fromEntries(Array.from({length: 12}, (_, k) => [`HAPROXY_${k}_VHOST`, `app-${i}-${k}.example.com`]))
  return JSON.stringify({clientIp: '10.0.0.5', uri: `/v2/apps${app}`, appDefinition: {id: app, instances: 3, cpus: 0.1, mem: 64, labels, portDefinitions: [{port: 10000 + i, protocol: 'tcp', name: 'http'}], healthChecks: [{protocol: 'MESOS_HTTP', path: '/health', portIndex: 0}]}, eventType: 'api_post_event', timestamp: 't'})
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Runs one storm of `n` events over 10 s of fake time; returns per-event timings and resyncs. */
async function storm(n: number, seed: number): Promise<{micros: number[]; resyncs: number}> {
  const rand = prng(seed)
  const inputs = Array.from({length: n}, (_, i) => payload(rand, i))
  const clock = new FakeClock()
  let resyncs = 0
  const scheduler = new Scheduler({clock, logger: nullLogger, run: async () => void resyncs++, timing: {resyncIntervalMs: 0}})
  const micros: number[] = []
  const gap = 10_000 / n
  for (const data of inputs) {
    const t0 = process.hrtime.bigint()
    for (const e of parseEventData(data, 'message').events) if (isRoutingEvent(e)) scheduler.markDirty()
    micros.push(Number(process.hrtime.bigint() - t0) / 1_000)
    await clock.advance(gap)
  }
  await clock.advance(2_000)
  await scheduler.stop()
  return {micros, resyncs}
}

async function main(): Promise<void> {
  await storm(1_000, 99) // warm-up
  for (const n of [1, 100, 1_000, 10_000]) {
    const {micros, resyncs} = await storm(n, 42)
    const sorted = [...micros].sort((a, b) => a - b)
    const total = micros.reduce((a, b) => a + b, 0)
    console.log(JSON.stringify({bench: 'event-to-resync decision', events: n, overSeconds: 10, p50Micros: +quantile(sorted, 0.5).toFixed(2), p99Micros: +quantile(sorted, 0.99).toFixed(2), eventsPerSecond: Math.round(n / (total / 1e6)), resyncs}))
  }
}

await main()
