/**
 * Drain detection from the load balancers' stats (spec §8.3 swap step 3), as named predicates.
 * Pure. Rows are matched per load balancer, so "on every LB" means one verdict per LB rather than
 * zdd.py's row count divided by the LB count (which miscounts when one LB runs several processes).
 */
import {isServerRow, type StatRow} from '../haproxy/stats.js'
import {appIdPart} from '../model/naming.js'
import type {Listener, ServerNamer, ZddApp} from './state.js'

/** Rows of `pxname` that are servers, tagged with the LB index they came from. */
export function selectListeners(perLb: readonly (readonly StatRow[])[], pxname: string): Listener[] {
  const out: Listener[] = []
  perLb.forEach((rows, lb) => {
    for (const r of rows) {
      if (r.pxname === pxname && isServerRow(r)) out.push({lb, svname: r.svname, status: r.status, qcur: r.qcur, scur: r.scur})
    }
  })
  return out
}

/** A server marathon-lb put in maintenance (` disabled` in the config): it is draining. */
export function isDraining(l: Listener): boolean {
  return l.status.startsWith('MAINT')
}

/** A draining server with no session and nothing queued. */
export function isDrained(l: Listener): boolean {
  return isDraining(l) && l.qcur === 0 && l.scur === 0
}

/**
 * A server taking traffic: `UP`, `UP n/m` (going down but still serving), or `no check` (apps
 * without health checks, which zdd.py never counted as up and so always waited out --max-wait).
 */
export function isServing(l: Listener): boolean {
  return l.status === 'UP' || l.status.startsWith('UP ') || l.status === 'no check'
}

/** Every LB has at least one row named `svname`, and all its rows satisfy `pred`. */
function onEveryLb(listeners: readonly Listener[], lbCount: number, svname: string, pred: (l: Listener) => boolean): boolean {
  for (let lb = 0; lb < lbCount; lb++) {
    const rows = listeners.filter((l) => l.lb === lb && l.svname === svname)
    if (rows.length === 0 || !rows.every(pred)) return false
  }
  return true
}

function taskIdsWhere(app: ZddApp, listeners: readonly Listener[], lbCount: number, name: ServerNamer, pred: (l: Listener) => boolean): string[] {
  const ids: string[] = []
  for (const task of app.tasks) {
    const svname = name(app, task)
    if (svname !== undefined && onEveryLb(listeners, lbCount, svname, pred)) ids.push(task.id)
  }
  return ids
}

/** Tasks of `app` drained on every LB (safe to kill). */
export function findDrainedTaskIds(app: ZddApp, listeners: readonly Listener[], lbCount: number, name: ServerNamer): string[] {
  return taskIdsWhere(app, listeners, lbCount, name, isDrained)
}

/** Tasks of `app` draining on every LB, sessions or not (killed after --max-wait). */
export function findDrainingTaskIds(app: ZddApp, listeners: readonly Listener[], lbCount: number, name: ServerNamer): string[] {
  return taskIdsWhere(app, listeners, lbCount, name, isDraining)
}

/** Each LB lists exactly `expected` distinct servers in the group's backend (it has caught up). */
export function listenersComplete(listeners: readonly Listener[], lbCount: number, expected: number): boolean {
  for (let lb = 0; lb < lbCount; lb++) {
    const names = new Set(listeners.filter((l) => l.lb === lb).map((l) => l.svname))
    if (names.size !== expected) return false
  }
  return true
}

/**
 * Every task of the new app is serving on every LB. zdd.py instead compared UP rows of both
 * colours with the new app's target (spec §10.44), which can pass while new tasks are down.
 */
export function newTasksServing(newApp: ZddApp, listeners: readonly Listener[], lbCount: number, name: ServerNamer): boolean {
  if (newApp.tasks.length < newApp.instances) return false
  return taskIdsWhere(newApp, listeners, lbCount, name, isServing).length === newApp.tasks.length
}

/** Live counts for progress output: per LB, servers serving and draining. */
export function lbCounts(listeners: readonly Listener[], lbCount: number): {serving: number; draining: number; drained: number}[] {
  const out: {serving: number; draining: number; drained: number}[] = []
  for (let lb = 0; lb < lbCount; lb++) {
    const rows = listeners.filter((l) => l.lb === lb)
    out.push({serving: rows.filter(isServing).length, draining: rows.filter(isDraining).length, drained: rows.filter(isDrained).length})
  }
  return out
}

/**
 * The backend (and stats `pxname`) of a deployment group: marathon-lb names the merged app by
 * the group with a leading `/`, so the name is the group without it, `/` → `_`, then
 * `_<HAPROXY_0_PORT>` (spec §5.6, §5.15). zdd.py used the raw group (spec §10.40).
 */
export function groupBackendName(group: string, port0: string): string {
  return `${appIdPart(group.startsWith('/') ? group : `/${group}`)}_${port0}`
}
