/**
 * The admin endpoint (`/_sim/...`): fault injection and inspection over HTTP for a simulator run
 * as a separate process (`mlb marathon-sim`). Never authenticated, never faulted, not logged.
 */
import {jsonReply, type Reply, type Req} from './http-types.js'
import type {TaskControl} from './runner.js'
import type {Simulator} from './simulator.js'

function bodyOf(req: Req): Record<string, unknown> {
  try {
    const v: unknown = req.body === '' ? {} : JSON.parse(req.body)
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function faults(sim: Simulator, req: Req): Reply {
  if (req.method === 'DELETE') {
    sim.faults.reset()
    sim.resumeEventStreams()
    return jsonReply(200, sim.faults.snapshot())
  }
  const b = bodyOf(req)
  // -1 = every request from now on (JSON has no Infinity).
  const count = (v: number): number => (v < 0 ? Number.POSITIVE_INFINITY : v)
  if (typeof b['errors'] === 'number') sim.faults.failNext(count(b['errors']), typeof b['status'] === 'number' ? b['status'] : 503)
  if (typeof b['timeouts'] === 'number') sim.faults.timeoutNext(count(b['timeouts']))
  if (typeof b['latencyMs'] === 'number') sim.faults.latencyMs = b['latencyMs']
  if (b['eventStream'] === 'drop') sim.dropEventStreams()
  if (b['eventStream'] === 'stall') sim.stallEventStreams()
  if (b['eventStream'] === 'resume') sim.resumeEventStreams()
  return jsonReply(200, sim.faults.snapshot())
}

function taskAction(sim: Simulator, taskId: string, action: string): Reply {
  if (sim.engine.store.tasks.get(taskId) === undefined) return jsonReply(404, {message: `Task '${taskId}' does not exist`})
  if (action === 'kill') sim.killTask(taskId)
  else if (['crash', 'hang', 'down', 'up'].includes(action)) sim.controlTask(taskId, action as TaskControl)
  else return jsonReply(404, {message: `unknown task action ${action}`})
  return jsonReply(200, {taskId, action})
}

/** Answers one `/_sim/...` request. */
export function handleAdmin(sim: Simulator, req: Req): Promise<Reply> {
  const p = req.path.slice('/_sim/'.length).replace(/\/+$/, '')
  const task = /^tasks\/([^/]+)\/(\w+)$/.exec(p)
  let reply: Reply
  if (task !== null && req.method === 'POST') reply = taskAction(sim, decodeURIComponent(task[1] as string), task[2] as string)
  else if (p === 'faults' && (req.method === 'POST' || req.method === 'DELETE')) reply = faults(sim, req)
  else if (p === 'calls' && req.method === 'GET') reply = jsonReply(200, sim.calls())
  else if (p === 'events' && req.method === 'GET') reply = jsonReply(200, sim.events())
  else if ((p === 'calls' || p === 'events') && req.method === 'DELETE') {
    sim.clearHistory()
    reply = jsonReply(200, {})
  } else if (p === 'leader/lose' && req.method === 'POST') {
    sim.loseLeadership()
    reply = jsonReply(200, {leader: sim.isLeader})
  } else if (p === 'leader/take' && req.method === 'POST') {
    sim.takeLeadership()
    reply = jsonReply(200, {leader: sim.isLeader})
  } else if (p === 'state' && req.method === 'GET') {
    reply = jsonReply(200, {
      leader: sim.isLeader, apps: sim.engine.store.apps.size, tasks: sim.engine.store.tasks.size, deployments: sim.engine.deployments.running.size,
      pids: sim.taskPids(), eventStreams: sim.streams.count, faults: sim.faults.snapshot(), settled: sim.engine.deployments.running.size === 0,
    })
  } else reply = jsonReply(404, {message: `unknown admin route ${req.method} /_sim/${p}`})
  return Promise.resolve(reply)
}
