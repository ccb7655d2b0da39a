/**
 * Marathon's REST routes (marathon-api §2, §9) as functions of a {@link Req}: apps, tasks,
 * deployments, info, leader and ping. Unknown routes answer 500 `URI not found`, as Marathon's
 * exception mapper does with Jersey's NotFoundException.
 */
import {parseJsonBody} from './app-input.js'
import {ApiError, appNotFound, invalidJsonShape} from './api-error.js'
import type {DeploymentResult, Engine} from './engine.js'
import {absoluteId} from './ids.js'
import {parseLabelSelector} from './label-selector.js'
import {createApp, deleteApp, deleteDeployment, killTasks, updateApps, type RequestContext} from './operations.js'
import {servicePorts} from './app-types.js'
import {appInfoText, createdAppJson, deploymentJson, taskJson, type Embed} from './views.js'
import {jsonReply, queryFlag, type Reply, type Req} from './http-types.js'
import type {SimTask} from './state.js'

/** What the routes need to know about the serving instance. */
export interface RouteContext {
  readonly engine: Engine
  /** Marathon version reported by `/v2/info` (e.g. `1.9.109`). */
  readonly version: string
  /** `host:port` of the leader, or undefined when there is none. */
  readonly leader: string | undefined
  /** Base URL of this instance (for `Location`). */
  readonly baseUrl: string
  readonly httpPort: number
}

/** A 200 answer whose JSON text is already built. */
function jsonText(text: string): Reply {
  return {status: 200, text, contentType: 'application/json'}
}

const NOT_FOUND = (): Reply => jsonReply(500, {message: 'URI not found'})
const METHOD_NOT_ALLOWED = (): Reply => jsonReply(405, {message: 'HTTP 405 Method Not Allowed'})

function embedOf(q: URLSearchParams, always: Partial<Embed> = {}): Embed {
  const e = {tasks: false, readiness: false, lastTaskFailure: false, taskStats: false, ...always}
  for (const raw of q.getAll('embed')) {
    const v = raw.replace(/^(group\.apps\.|apps\.|app\.)/, '')
    if (v === 'tasks') e.tasks = true
    else if (v === 'readiness') e.readiness = true
    else if (v === 'lastTaskFailure') e.lastTaskFailure = true
    else if (v === 'taskStats') e.taskStats = true
    else if (v === 'failures') e.tasks = e.lastTaskFailure = true
  }
  return e
}

function deployed(result: DeploymentResult, status = 200, extra: Record<string, string> = {}): Reply {
  return jsonReply(status, {version: result.version, deploymentId: result.deploymentId}, {'Marathon-Deployment-Id': result.deploymentId, ...extra})
}

function ctxOf(req: Req): RequestContext {
  const qs = req.query.toString()
  return {clientIp: req.clientIp, uri: qs === '' ? req.path : `${req.path}?${qs}`}
}

function listApps(c: RouteContext, req: Req): Reply {
  const embed = embedOf(req.query)
  const cmd = req.query.get('cmd')?.toLowerCase()
  const id = req.query.get('id')?.toLowerCase()
  const label = req.query.get('label')
  const selector = label === null || label === '' ? undefined : parseLabelSelector(label)
  const apps = [...c.engine.store.apps.values()].filter(
    (a) =>
      (cmd === undefined || String(a.def.other['cmd'] ?? '').toLowerCase().includes(cmd)) &&
      (id === undefined || a.def.id.toLowerCase().includes(id)) &&
      (selector === undefined || selector(a.def.labels)),
  )
  return jsonText(`{"apps":[${apps.map((a) => appInfoText(c.engine, a, embed)).join(',')}]}`)
}

function taskList(c: RouteContext, tasks: readonly SimTask[]): Record<string, unknown>[] {
  return tasks.map((t) => {
    const app = c.engine.store.apps.get(t.appId)
    return taskJson(t, app === undefined ? [] : servicePorts(app.def))
  })
}

function tasksRoute(c: RouteContext, req: Req): Reply {
  const wanted = [...req.query.getAll('status'), ...req.query.getAll('status[]')].map((s) => `TASK_${s.toUpperCase()}`)
  const tasks = [...c.engine.store.tasks.values()].filter((t) => c.engine.store.apps.has(t.appId) && (wanted.length === 0 || wanted.includes(t.state)))
  const accept = String(req.headers['accept'] ?? '')
  if (accept.includes('text/plain') && !accept.includes('json')) {
    const lines = [...c.engine.store.apps.values()].flatMap((a) =>
      servicePorts(a.def).map((sp, i) => [a.def.id.slice(1).replace(/\//g, '_'), sp, ...tasks.filter((t) => t.appId === a.def.id).map((t) => `${t.host}:${t.ports[i] ?? ''}`)].join('\t')),
    )
    return {status: 200, text: lines.map((l) => `${l}\n`).join(''), contentType: 'text/plain'}
  }
  return jsonReply(200, {tasks: taskList(c, tasks)})
}

function deleteTasksRoute(c: RouteContext, req: Req): Reply {
  const body = parseJsonBody(req.body)
  const ids = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['ids'] : undefined
  if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) throw invalidJsonShape([{path: '/ids', errors: ['error.expected.jsarray']}])
  const result = killTasks(c.engine, ids, {scale: queryFlag(req.query, 'scale', false), force: queryFlag(req.query, 'force', false), wipe: queryFlag(req.query, 'wipe', false)})
  return 'tasks' in result ? jsonReply(200, {tasks: taskList(c, result.tasks)}) : deployed(result)
}

function appRoute(c: RouteContext, req: Req, rest: string): Reply {
  const taskMatch = /^(.+?)\/tasks(?:\/([^/]+))?$/.exec(rest)
  if (taskMatch !== null) return appTasksRoute(c, req, absoluteId(taskMatch[1] as string), taskMatch[2])
  const id = absoluteId(rest)
  const force = queryFlag(req.query, 'force', false)
  switch (req.method) {
    case 'GET': {
      if (id.endsWith('/*')) {
        const group = id.slice(0, -2)
        const apps = [...c.engine.store.apps.values()].filter((a) => a.def.id.startsWith(`${group}/`))
        return jsonText(`{"*":[${apps.map((a) => appInfoText(c.engine, a, embedOf(req.query, {tasks: true, lastTaskFailure: true}))).join(',')}]}`)
      }
      const app = c.engine.store.apps.get(id)
      if (app === undefined) throw appNotFound(id)
      return jsonText(`{"app":${appInfoText(c.engine, app, embedOf(req.query, {tasks: true, lastTaskFailure: true}))}}`)
    }
    case 'PUT':
    case 'PATCH': {
      const body = parseJsonBody(req.body)
      const partialUpdate = req.method === 'PATCH' || queryFlag(req.query, 'partialUpdate', true)
      const {created, result} = updateApps(c.engine, [{body, pathId: id}], {force, partialUpdate, mustExist: req.method === 'PATCH'}, ctxOf(req))
      return created ? deployed(result, 201, {Location: `${c.baseUrl}${id}`}) : deployed(result)
    }
    case 'DELETE':
      return deployed(deleteApp(c.engine, id, queryFlag(req.query, 'force', true)))
    default:
      return METHOD_NOT_ALLOWED()
  }
}

function appTasksRoute(c: RouteContext, req: Req, appId: string, taskId: string | undefined): Reply {
  const app = c.engine.store.apps.get(appId)
  if (app === undefined) throw appNotFound(appId)
  const tasks = c.engine.store.tasksOf(appId)
  if (req.method === 'GET' && taskId === undefined) return jsonReply(200, {tasks: taskList(c, tasks)})
  if (req.method !== 'DELETE') return METHOD_NOT_ALLOWED()
  const host = req.query.get('host')
  const ids = taskId !== undefined ? [taskId] : tasks.filter((t) => host === null || host === '*' || t.host === host).map((t) => t.id)
  if (taskId !== undefined && !c.engine.store.tasks.has(taskId)) throw new ApiError(404, {message: `Task '${taskId}' does not exist`})
  const result = killTasks(c.engine, ids, {scale: queryFlag(req.query, 'scale', false), force: queryFlag(req.query, 'force', false), wipe: queryFlag(req.query, 'wipe', false)})
  if (!('tasks' in result)) return deployed(result)
  const list = taskList(c, result.tasks)
  return taskId !== undefined ? jsonReply(200, {task: list[0]}) : jsonReply(200, {tasks: list})
}

function appsRoute(c: RouteContext, req: Req): Reply {
  if (req.method === 'GET') return listApps(c, req)
  const force = queryFlag(req.query, 'force', false)
  if (req.method === 'POST') {
    const {app, result} = createApp(c.engine, parseJsonBody(req.body), force, ctxOf(req))
    return jsonReply(201, createdAppJson(app, result.deploymentId), {Location: `${c.baseUrl}${app.def.id}`, 'Marathon-Deployment-Id': result.deploymentId})
  }
  if (req.method === 'PUT' || req.method === 'PATCH') {
    const body = parseJsonBody(req.body)
    if (!Array.isArray(body)) throw invalidJsonShape([{path: '', errors: ['error.expected.jsarray']}])
    const bodies = body.map((b: unknown, i) => ({body: b, at: `(${i})`}))
    const partialUpdate = req.method === 'PATCH' || queryFlag(req.query, 'partialUpdate', true)
    return deployed(updateApps(c.engine, bodies, {force, partialUpdate, mustExist: false}, ctxOf(req)).result)
  }
  return METHOD_NOT_ALLOWED()
}

function deploymentsRoute(c: RouteContext, req: Req, id: string | undefined): Reply {
  if (id === undefined) {
    if (req.method !== 'GET') return METHOD_NOT_ALLOWED()
    return jsonReply(200, [...c.engine.deployments.running.values()].map((d) => deploymentJson(c.engine, d)))
  }
  if (req.method !== 'DELETE') return METHOD_NOT_ALLOWED()
  const result = deleteDeployment(c.engine, id, queryFlag(req.query, 'force', false))
  return result === undefined ? {status: 202} : deployed(result)
}

function infoJson(c: RouteContext): Record<string, unknown> {
  return {
    name: 'marathon', version: c.version, buildref: 'marathon-sim', elected: c.leader !== undefined, leader: c.leader ?? null,
    frameworkId: 'b5ac2a1b-0000-4c6e-9f3f-5e7a1a5f0001-0000',
    marathon_config: {
      framework_name: 'marathon', local_port_min: 10000, local_port_max: 20000, hostname: '127.0.0.1', features: ['task_killing'],
      mesos_leader_ui_url: 'http://127.0.0.1:5050/', master: 'sim://local', http_config: {http_port: c.httpPort},
    },
    zookeeper_config: {zk: 'zk://127.0.0.1:2181/marathon'},
    http_config: {http_port: c.httpPort, https_port: 8443},
  }
}

/** `/ping` content negotiation (marathon-api §2.10). */
export function pingReply(accept: string): Reply {
  const types = accept === '' ? ['*/*'] : accept.split(',').map((s) => (s.split(';')[0] ?? '').trim())
  if (types.some((t) => t === '*/*' || t === 'text/*' || t === 'text/plain')) return {status: 200, text: 'pong', contentType: 'text/plain'}
  if (types.some((t) => t === 'application/json' || t === 'application/*')) return jsonReply(200, 'pong')
  return {status: 204}
}

/** Dispatches one REST request. Throws {@link ApiError}s, which the server renders. */
export function route(c: RouteContext, req: Req): Reply {
  const p = req.path.replace(/\/+$/, '') || '/'
  if (p === '/ping') return req.method === 'GET' ? pingReply(String(req.headers['accept'] ?? '')) : METHOD_NOT_ALLOWED()
  if (p === '/v2/info') return req.method === 'GET' ? jsonReply(200, infoJson(c)) : METHOD_NOT_ALLOWED()
  if (p === '/v2/leader') {
    if (req.method !== 'GET') return METHOD_NOT_ALLOWED()
    return c.leader === undefined ? jsonReply(404, {message: 'There is no leader'}) : jsonReply(200, {leader: c.leader})
  }
  if (p === '/v2/apps') return appsRoute(c, req)
  if (p.startsWith('/v2/apps/')) return appRoute(c, req, p.slice('/v2/apps/'.length))
  if (p === '/v2/tasks') return req.method === 'GET' ? tasksRoute(c, req) : METHOD_NOT_ALLOWED()
  if (p === '/v2/tasks/delete') return req.method === 'POST' ? deleteTasksRoute(c, req) : METHOD_NOT_ALLOWED()
  if (p === '/v2/deployments') return deploymentsRoute(c, req, undefined)
  if (p.startsWith('/v2/deployments/')) return deploymentsRoute(c, req, decodeURIComponent(p.slice('/v2/deployments/'.length)))
  return NOT_FOUND()
}
