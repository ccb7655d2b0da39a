/**
 * Synthetic Marathon state for the render benchmark: N apps × 5 tasks, deterministic for a seed,
 * with the label and networking variety of the conformance vectors (single and multi vhosts,
 * paths, auth, sticky, redirects, HSTS, weights, HTTP/TCP/COMMAND health checks, tcp mode, host
 * portDefinitions, Docker bridge portMappings, Marathon 1.5 container/bridge and IP-per-task
 * container networks). Apps carry the fields a real Marathon returns, so the body has a realistic
 * size. Task hosts are IPv4 literals: no DNS in the measurement.
 *
 * Usage: `tsx bench/gen-state.ts <apps> [seed] > state.json`
 */
import {pathToFileURL} from 'node:url'

/** A small seeded PRNG (mulberry32): same seed, same state. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Json = Record<string, unknown>
const TASKS_PER_APP = 5
const VERSION = '2024-05-01T10:00:00.000Z'

function hex(rand: () => number, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16)
  return s
}

function uuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-8${hex(rand, 3)}-${hex(rand, 12)}`
}

function healthCheck(kind: 'HTTP' | 'TCP' | 'COMMAND', i: number): Json {
  const base = {gracePeriodSeconds: 300, intervalSeconds: 10 + (i % 3) * 5, maxConsecutiveFailures: 3, timeoutSeconds: 20, delaySeconds: 15, ignoreHttp1xx: false}
  if (kind === 'HTTP') return {...base, protocol: 'HTTP', path: i % 2 === 0 ? '/health' : '/', portIndex: 0}
  if (kind === 'TCP') return {...base, protocol: 'TCP', portIndex: 0}
  return {...base, protocol: 'COMMAND', command: {value: 'curl -f http://$HOST:$PORT0/'}}
}

/** Labels of app `i`: a rotation over the vectors' features. */
function labels(i: number, id: string, tcp: boolean): Record<string, string> {
  const l: Record<string, string> = {HAPROXY_GROUP: i % 10 === 9 ? 'internal' : 'external'}
  if (tcp) {
    l['HAPROXY_0_MODE'] = 'tcp'
    if (i % 4 === 0) l['HAPROXY_0_BALANCE'] = 'leastconn'
    return l
  }
  const host = `${id.slice(1).replace(/\//g, '-')}.example.com`
  switch (i % 8) {
    case 0:
      l['HAPROXY_0_VHOST'] = host
      break
    case 1:
      l['HAPROXY_0_VHOST'] = `${host},www.${host}`
      l['HAPROXY_0_REDIRECT_TO_HTTPS'] = 'true'
      break
    case 2:
      l['HAPROXY_0_VHOST'] = 'shop.example.com'
      l['HAPROXY_0_PATH'] = `/${id.slice(1).replace(/\//g, '-')}`
      l['HAPROXY_0_BACKEND_WEIGHT'] = String(i % 5)
      break
    case 3:
      l['HAPROXY_0_VHOST'] = host
      l['HAPROXY_0_AUTH'] = `realm${i}:user${i}:$6$rounds=5000$salt$0123456789abcdef`
      break
    case 4:
      l['HAPROXY_0_VHOST'] = host
      l['HAPROXY_0_STICKY'] = 'true'
      l['HAPROXY_0_USE_HSTS'] = 'true'
      l['HAPROXY_0_REDIRECT_TO_HTTPS'] = 'true'
      break
    case 5:
      l['HAPROXY_0_VHOST'] = `${host},api.${host}`
      l['HAPROXY_0_PATH'] = '/api'
      l['HAPROXY_0_AUTH'] = `api:svc${i}:$6$salt$abcdef`
      break
    case 6:
      l['HAPROXY_0_BALANCE'] = 'leastconn'
      l['HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL'] = '10.0.0.0/8 192.168.0.0/16'
      break
    default:
      // no vhost: reached through its service port and the :9091 app-id frontend only
      break
  }
  return l
}

type Shape = 'host' | 'docker-bridge' | 'net-bridge' | 'net-container'

function networking(shape: Shape, servicePorts: readonly number[]): Json {
  const mappings = servicePorts.map((sp, k) => ({containerPort: 8080 + k, hostPort: 0, servicePort: sp, protocol: 'tcp', name: `p${k}`, labels: {}}))
  switch (shape) {
    case 'host':
      return {
        portDefinitions: servicePorts.map((sp, k) => ({port: sp, protocol: 'tcp', name: `p${k}`, labels: {}})),
        container: null,
        networks: [{mode: 'host'}],
      }
    case 'docker-bridge':
      return {
        portDefinitions: [],
        container: {type: 'DOCKER', volumes: [], docker: {image: 'nginx:1.25', network: 'BRIDGE', portMappings: mappings, privileged: false, parameters: [], forcePullImage: false}},
      }
    case 'net-bridge':
      return {
        portDefinitions: [],
        container: {type: 'DOCKER', volumes: [], docker: {image: 'nginx:1.25', privileged: false, parameters: [], forcePullImage: false}, portMappings: mappings},
        networks: [{mode: 'container/bridge'}],
      }
    case 'net-container':
      return {
        portDefinitions: [],
        container: {type: 'MESOS', volumes: [], docker: {image: 'nginx:1.25', forcePullImage: false}, portMappings: mappings.map((m) => ({...m, hostPort: undefined}))},
        networks: [{mode: 'container', name: 'dcos'}],
      }
  }
}

function task(rand: () => number, app: {id: string; shape: Shape; ports: number; hc: boolean}, t: number, i: number): Json {
  const safe = app.id.slice(1).replace(/\//g, '_')
  const agent = `10.0.${(i * 7 + t) % 250}.${1 + ((i + t * 13) % 250)}`
  const hostPorts = Array.from({length: app.ports}, (_, k) => 20000 + ((i * 10 + t * 3 + k) % 12000))
  const ipPerTask = app.shape === 'net-container'
  const id = `${safe}.instance-${uuid(rand)}._app.1`
  return {
    id,
    slaveId: `${uuid(rand)}-S${t}`,
    host: agent,
    state: t === 4 && i % 17 === 0 ? 'TASK_STAGING' : 'TASK_RUNNING',
    startedAt: VERSION,
    stagedAt: VERSION,
    ports: ipPerTask ? [] : hostPorts,
    version: VERSION,
    ipAddresses: [{ipAddress: ipPerTask ? `9.${i % 250}.${t}.${1 + (i % 200)}` : agent, protocol: 'IPv4'}],
    appId: app.id,
    servicePorts: [],
    localVolumes: [],
    ...(app.hc
      ? {
          healthCheckResults: [
            {alive: !(t === 3 && i % 11 === 0), consecutiveFailures: 0, firstSuccess: VERSION, lastFailure: null, lastSuccess: VERSION, lastFailureCause: null, instanceId: id},
          ],
        }
      : {}),
  }
}

/** One app of the synthetic state. */
function app(rand: () => number, i: number): Json {
  const id = i % 3 === 0 ? `/team${i % 40}/svc-${i}` : `/svc-${i}`
  const shapes: readonly Shape[] = ['host', 'docker-bridge', 'net-bridge', 'net-container']
  const shape = shapes[i % shapes.length]!
  const tcp = i % 9 === 8
  const ports = i % 5 === 0 ? 2 : 1
  const servicePorts = Array.from({length: ports}, (_, k) => 10000 + ((i * 2 + k) % 55000))
  const hcKind = tcp ? 'TCP' : i % 13 === 0 ? 'COMMAND' : i % 4 === 3 ? undefined : 'HTTP'
  const hc = hcKind !== undefined
  return {
    id,
    cmd: shape === 'host' ? `./server --port $PORT0 --name ${id}` : null,
    args: null,
    user: null,
    env: {JAVA_OPTS: '-Xmx512m', APP_NAME: id, LOG_LEVEL: 'info'},
    instances: TASKS_PER_APP,
    cpus: 0.5,
    mem: 512,
    disk: 0,
    gpus: 0,
    executor: '',
    constraints: [['hostname', 'UNIQUE']],
    uris: [],
    fetch: [],
    storeUrls: [],
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 3600,
    ...networking(shape, servicePorts),
    healthChecks: hc ? [healthCheck(hcKind, i)] : [],
    readinessChecks: [],
    dependencies: [],
    upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
    labels: labels(i, id, tcp),
    version: VERSION,
    versionInfo: {lastScalingAt: VERSION, lastConfigChangeAt: VERSION},
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: {inactiveAfterSeconds: 0, expungeAfterSeconds: 0},
    tasksStaged: 0,
    tasksRunning: TASKS_PER_APP,
    tasksHealthy: hc ? TASKS_PER_APP : 0,
    tasksUnhealthy: 0,
    deployments: [],
    tasks: Array.from({length: TASKS_PER_APP}, (_, t) => task(rand, {id, shape, ports, hc}, t, i)),
  }
}

/** The `GET /v2/apps?embed=apps.tasks` body of a synthetic cluster with `apps` apps. */
export function generateState(apps: number, seed = 42): {apps: Json[]} {
  const rand = prng(seed)
  return {apps: Array.from({length: apps}, (_, i) => app(rand, i))}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? '1000')
  const seed = Number(process.argv[3] ?? '42')
  process.stdout.write(JSON.stringify(generateState(n, seed)))
}
