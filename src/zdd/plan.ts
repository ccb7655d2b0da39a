/**
 * The zdd planner (style rule 9): `plan(observed)` returns the next {@link Step} of the swap loop
 * of spec §8.3, with a reason. Pure: no I/O, no clock (the runner passes `now`). Each decision
 * is a named predicate, and each step is only chosen when it is not already done, so `--resume`
 * on any state is just another run.
 */
import {deploymentGroup, deploymentTarget, isDeploying, newInstanceCount} from './app.js'
import {findDrainedTaskIds, findDrainingTaskIds, isDraining, listenersComplete, newTasksServing} from './drain.js'
import type {LbSnapshot, LbWait, Listener, Observed, PlanOptions, RoundState, ServerNamer, Step, ZddApp} from './state.js'

type Flags = Pick<PlanOptions, 'completeCur' | 'completePrev'>

/** A hybrid deploy keeps both colours: NEW_INSTANCES ≠ 0 and no --complete flag. */
export function isHybrid(newApp: ZddApp, flags: Flags): boolean {
  return newInstanceCount(newApp) !== 0 && !flags.completeCur && !flags.completePrev
}

/** Instances the new app grows to: NEW_INSTANCES when hybrid, else its deployment target. */
export function scaleGoal(newApp: ZddApp, flags: Flags): number {
  return isHybrid(newApp, flags) ? newInstanceCount(newApp) : deploymentTarget(newApp)
}

/**
 * Next size of the new app: +linear, or ≈ +50 % (`floor(n + (n+1)/2)`: 1→2→3→5→8→12…), then
 * capped: hybrid at NEW_INSTANCES, linear at the target, and the 50 % schedule jumps to the target
 * once it reaches the old app's size. Always grows by at least one (zdd.py stayed at 0, §10.42).
 */
export function nextInstances(newApp: ZddApp, oldApp: ZddApp, opts: Flags & Pick<PlanOptions, 'linearIncrease'>): number {
  const n = newApp.instances
  let next = opts.linearIncrease > 0 ? n + opts.linearIncrease : Math.floor(n + (n + 1) / 2)
  if (next <= n) next = n + 1
  if (isHybrid(newApp, opts)) return Math.min(next, newInstanceCount(newApp))
  if (opts.linearIncrease > 0) return Math.min(next, deploymentTarget(newApp))
  return next >= oldApp.instances ? deploymentTarget(newApp) : next
}

/**
 * The old app can go: hybrid → both colours have their split sizes; otherwise the new app is
 * at its target and every remaining old task is among those to kill (drained, or draining after
 * --max-wait).
 */
export function isReadyToDeleteOld(newApp: ZddApp, oldApp: ZddApp, toKill: readonly string[], flags: Flags): boolean {
  if (isHybrid(newApp, flags)) {
    const split = newInstanceCount(newApp)
    return newApp.instances === split && oldApp.instances === deploymentTarget(oldApp) - split
  }
  return newApp.instances === deploymentTarget(newApp) && toKill.length === oldApp.instances
}

/** --max-wait has passed since this round began waiting on the load balancers. */
export function isMaxWaitPassed(round: RoundState, now: number, maxWaitMs: number): boolean {
  return round.drainWaitStartedAt !== undefined && now - round.drainWaitStartedAt >= maxWaitMs
}

/**
 * Why the load balancers are not ready for a kill decision yet (reloading, stats unreadable,
 * servers missing, new tasks not serving), or undefined when they are.
 */
export function lbWaitReason(o: Observed, lbs: LbSnapshot, opts: PlanOptions): {wait: LbWait; reason: string} | undefined {
  if (lbs.reloading.length > 0) return {wait: 'reloading', reason: `waiting for load balancers to finish reloading: ${lbs.reloading.join(', ')}`}
  const l = lbs.listeners
  if (l === undefined) return {wait: 'unavailable', reason: 'could not read stats from every load balancer'}
  const expected = o.newApp.instances + o.oldApp.instances
  if (!listenersComplete(l, lbs.count, expected)) {
    return {wait: 'listeners', reason: `waiting for every load balancer to list ${expected} servers (${o.newApp.instances} new + ${o.oldApp.instances} old)`}
  }
  if (!newTasksServing(o.newApp, l, lbs.count, opts.serverName)) return {wait: 'newUp', reason: `waiting for all ${o.newApp.instances} new tasks to be UP on every load balancer`}
  return undefined
}

/**
 * No server of the old app is in maintenance on any load balancer: they drain nothing at the
 * current sizes (the deployment-group rule of spec §5.15 gives 0), so waiting for a drain is
 * pointless while the new app can still grow. zdd.py waited out --max-wait in that case.
 */
export function isNothingDraining(oldApp: ZddApp, listeners: readonly Listener[], lbCount: number, name: ServerNamer): boolean {
  return oldApp.tasks.every((t) => {
    const svname = name(oldApp, t)
    return svname === undefined || !listeners.some((l) => l.lb < lbCount && l.svname === svname && isDraining(l))
  })
}

function scaleOrNextRound(o: Observed, opts: PlanOptions, after: string): Step {
  const goal = scaleGoal(o.newApp, opts)
  if (o.newApp.instances < goal) {
    const to = nextInstances(o.newApp, o.oldApp, opts)
    return {kind: 'scaleNew', from: o.newApp.instances, to, reason: `${after}; new app below its goal of ${goal}`}
  }
  return {kind: 'nextRound', reason: `${after}; new app at its goal of ${goal}, old app still has ${o.oldApp.instances} instances`}
}

function finish(o: Observed, opts: PlanOptions, timedOut: boolean, why: string): Step {
  if (isHybrid(o.newApp, opts)) return {kind: 'keepHybrid', reason: `hybrid split reached: ${o.newApp.instances} new, ${o.oldApp.instances} old`}
  return {kind: 'deleteOld', timedOut, reason: `${why}; new app at its target of ${o.newApp.instances}`}
}

/** --deploy-timeout (when set) has passed since this round first saw the new app deploying. */
export function isDeployTimeoutPassed(round: RoundState, now: number, deployTimeoutMs: number): boolean {
  return deployTimeoutMs > 0 && round.deployWaitStartedAt !== undefined && now - round.deployWaitStartedAt >= deployTimeoutMs
}

/** The next step of the swap loop. */
export function plan(o: Observed, opts: PlanOptions): Step {
  if (o.round.killed) return scaleOrNextRound(o, opts, 'killed drained tasks')
  if (isDeploying(o.newApp)) {
    if (!isDeployTimeoutPassed(o.round, o.now, opts.deployTimeoutMs)) return {kind: 'waitDeployment', reason: `Marathon is still deploying ${o.newApp.id}`}
    const sizes = `${o.newApp.id} has ${o.newApp.tasks.length} of ${o.newApp.instances} tasks, ${o.oldApp.id} has ${o.oldApp.tasks.length}`
    return {
      kind: 'deployTimedOut',
      reason: `Marathon's deployment of ${o.newApp.id} did not finish within --deploy-timeout of ${opts.deployTimeoutMs / 1000}s (${sizes}); Marathon and the load balancers are left as they are: run the same command with --resume to wait again`,
    }
  }
  const lbs = o.lbs
  if (lbs === undefined) return {kind: 'waitLb', wait: 'unavailable', reason: 'load balancers not polled yet'}
  const timedOut = isMaxWaitPassed(o.round, o.now, opts.maxWaitMs)
  const waiting = lbWaitReason(o, lbs, opts)
  if (waiting !== undefined && !timedOut) return {kind: 'waitLb', ...waiting}
  const listeners = lbs.listeners ?? o.round.lastListeners ?? []
  const drained = waiting === undefined ? findDrainedTaskIds(o.oldApp, listeners, lbs.count, opts.serverName) : []
  if (isReadyToDeleteOld(o.newApp, o.oldApp, drained, opts)) return finish(o, opts, false, 'every old task drained')
  if (drained.length > 0) return {kind: 'kill', taskIds: drained, timedOut: false, reason: 'old tasks drained on every load balancer'}
  const belowGoal = o.newApp.instances < scaleGoal(o.newApp, opts)
  if (waiting === undefined && belowGoal && isNothingDraining(o.oldApp, listeners, lbs.count, opts.serverName)) {
    return scaleOrNextRound(o, opts, 'no old task is draining at these sizes')
  }
  if (!timedOut) return {kind: 'waitLb', wait: 'drain', reason: 'waiting for an old task to drain on every load balancer'}
  // zdd.py's behaviour after --max-wait: take the tasks that are draining, sessions or not.
  const draining = findDrainingTaskIds(o.oldApp, listeners, lbs.count, opts.serverName)
  const why = `--max-wait passed (${waiting?.reason ?? 'no old task fully drained'}); proceeding with draining, not drained, tasks`
  if (isReadyToDeleteOld(o.newApp, o.oldApp, draining, opts)) return finish(o, opts, true, why)
  if (draining.length > 0) return {kind: 'kill', taskIds: draining, timedOut: true, reason: why}
  // At its goal the new app cannot grow, so another round would wait the same way forever:
  // when the load balancers drain nothing, or never list the group's servers at all (one that
  // does not serve the deployment group), stop and say so.
  if (!belowGoal && (waiting === undefined || waiting.wait === 'listeners')) {
    const group = deploymentGroup(o.newApp) ?? ''
    const seen = waiting === undefined ? `put none of ${o.oldApp.id}'s ${o.oldApp.instances} tasks in maintenance` : `did not all list the servers of both apps (${waiting.reason})`
    return {kind: 'stuck', reason: `the load balancers ${seen} within --max-wait although ${o.newApp.id} is at its goal: is mlb serve (or marathon-lb) serving deployment group ${group}?`}
  }
  return scaleOrNextRound(o, opts, why)
}

/** Exhaustiveness guard for switches over {@link Step} kinds. */
export function assertNever(x: never): never {
  throw new Error(`unexpected step ${JSON.stringify(x)}`)
}
