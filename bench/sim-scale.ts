/**
 * Shared by the simulator's scale test and its benchmark: a large virtual-task state and a
 * client that times `GET` requests from another process (as marathon-lb would call Marathon), so
 * the client's own JSON work does not share the simulator's event loop.
 */
import {execFile} from 'node:child_process'

/** `n` apps with `instances` tasks each, vhosts and every other app health-checked. */
export function virtualScaleApps(n: number, instances: number): unknown {
  return {
    apps: Array.from({length: n}, (_, i) => ({
      id: `/team-${Math.floor(i / 100)}/svc-${i}`,
      cmd: 'simulated',
      instances,
      labels: {HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: `svc-${i}.example.com`},
      healthChecks: i % 2 === 0 ? [{protocol: 'HTTP', path: '/health', intervalSeconds: 60, gracePeriodSeconds: 300}] : [],
      portDefinitions: [{port: 0, protocol: 'tcp'}],
    })),
  }
}

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

/** Times `n` sequential GETs of `url` from a child process: `[ms, bytes, status]` each. */
export function timeGets(url: string, n: number): Promise<[number, number, number][]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CLIENT, url, String(n)], {timeout: 60_000}, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as [number, number, number][])))
  })
}
