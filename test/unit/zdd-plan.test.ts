import {describe, expect, it} from 'vitest'

import {toZddApp} from '../../src/zdd/app.js'
import {isReadyToDeleteOld, nextInstances, plan} from '../../src/zdd/plan.js'
import {NEW_ROUND, type Listener, type Observed, type PlanOptions, type ZddApp} from '../../src/zdd/state.js'

/** Builds an app: `/x-<colour>` with n tasks `<colour>.<i>` on host h<i>, port 31000+i. */
function app(colour: string, instances: number, labels: Record<string, string | number> = {}, extra: Record<string, unknown> = {}): ZddApp {
  const tasks = Array.from({length: instances}, (_v, i) => ({id: `${colour}.${i}`, host: `${colour}h${i}`, ports: [31000 + i]}))
  return toZddApp({id: `/x-${colour}`, instances, labels, tasks, deployments: [], ...extra}) as ZddApp
}

/** Test namer: `<host>_<port>` (the real one is covered in zdd-drain.test.ts). */
const opts: PlanOptions = {maxWaitMs: 300_000, deployTimeoutMs: 0, linearIncrease: 0, completeCur: false, completePrev: false, serverName: (_a, t) => `${t.host}_${t.ports[0] ?? 0}`}

function rows(a: ZddApp, lbCount: number, status: (i: number) => string, scur: (i: number) => number = () => 0): Listener[] {
  const out: Listener[] = []
  for (let lb = 0; lb < lbCount; lb++) a.tasks.forEach((t, i) => out.push({lb, svname: `${t.host}_${t.ports[0] ?? 0}`, status: status(i), qcur: 0, scur: scur(i)}))
  return out
}

function observed(newApp: ZddApp, oldApp: ZddApp, listeners: Listener[] | undefined, more: Partial<Observed> = {}): Observed {
  return {newApp, oldApp, lbs: {count: 2, reloading: [], listeners}, round: {...NEW_ROUND, drainWaitStartedAt: 0}, now: 1000, ...more}
}

const TARGET = {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 3, HAPROXY_DEPLOYMENT_NEW_INSTANCES: 0}

describe('nextInstances (tests/test_zdd.py TestBluegreenDeploy)', () => {
  it('test_scale_new_app_instances_up_50_percent: 10 → 15 when old has 30', () => {
    expect(nextInstances(app('b', 10, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 30}), app('g', 30), opts)).toBe(15)
  })
  it('test_scale_new_app_instances_to_target: jumps to 30 once the next size reaches old (8)', () => {
    expect(nextInstances(app('b', 10, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 30}), app('g', 8), opts)).toBe(30)
  })
  it('test_scale_new_app_instances_hybrid: capped at NEW_INSTANCES 15', () => {
    expect(nextInstances(app('b', 10, {HAPROXY_DEPLOYMENT_NEW_INSTANCES: 15, HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 30}), app('g', 20), opts)).toBe(15)
  })
  it('§10.42 fix: from 0 instances the 50 % schedule grows (zdd.py stayed at 0 forever)', () => {
    expect(nextInstances(app('b', 0, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 30}), app('g', 30), opts)).toBe(1)
  })
  it('--linear-increase adds a fixed step and caps at the target', () => {
    const o = {...opts, linearIncrease: 4}
    expect(nextInstances(app('b', 2, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 8}), app('g', 8), o)).toBe(6)
    expect(nextInstances(app('b', 6, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 8}), app('g', 2), o)).toBe(8)
  })
})

describe('plan: one test per transition', () => {
  const blue = app('b', 1, TARGET)
  const green = app('g', 3, TARGET)
  const both = (oldStatus: (i: number) => string, scur?: (i: number) => number): Listener[] => [...rows(green, 2, oldStatus, scur), ...rows(blue, 2, () => 'UP')]

  it('new app deploying → waitDeployment', () => {
    const deploying = app('b', 1, TARGET, {deployments: [{id: 'd'}]})
    expect(plan(observed(deploying, green, undefined, {lbs: undefined}), opts)).toMatchObject({kind: 'waitDeployment'})
  })
  it('--deploy-timeout passed while Marathon still deploys the new app → deployTimedOut (zdd.py waited forever)', () => {
    const deploying = app('b', 3, TARGET, {deployments: [{id: 'd'}], tasks: [{id: 'b.0', host: 'bh0', ports: [31000]}]})
    const started = {...NEW_ROUND, deployWaitStartedAt: 1000}
    const within = plan(observed(deploying, green, undefined, {lbs: undefined, round: started, now: 1000 + 9_999}), {...opts, deployTimeoutMs: 10_000})
    expect(within).toMatchObject({kind: 'waitDeployment'})
    const past = plan(observed(deploying, green, undefined, {lbs: undefined, round: started, now: 1000 + 10_000}), {...opts, deployTimeoutMs: 10_000})
    expect(past).toEqual({
      kind: 'deployTimedOut',
      reason: "Marathon's deployment of /x-b did not finish within --deploy-timeout of 10s (/x-b has 1 of 3 tasks, /x-g has 3); Marathon and the load balancers are left as they are: run the same command with --resume to wait again",
    })
    // 0 (the default) never times out; nor does a round that has not seen the deployment yet.
    expect(plan(observed(deploying, green, undefined, {lbs: undefined, round: started, now: 1e12}), opts)).toMatchObject({kind: 'waitDeployment'})
    expect(plan(observed(deploying, green, undefined, {lbs: undefined, now: 1e12}), {...opts, deployTimeoutMs: 10_000})).toMatchObject({kind: 'waitDeployment'})
  })
  it('an LB reloading → waitLb reloading', () => {
    const o = observed(blue, green, both(() => 'UP'), {lbs: {count: 2, reloading: ['http://lb1:9090'], listeners: both(() => 'UP')}})
    expect(plan(o, opts)).toMatchObject({kind: 'waitLb', wait: 'reloading'})
  })
  it('stats unreadable → waitLb unavailable', () => {
    expect(plan(observed(blue, green, undefined), opts)).toMatchObject({kind: 'waitLb', wait: 'unavailable'})
  })
  it('an LB has not listed the new server yet → waitLb listeners', () => {
    expect(plan(observed(blue, green, rows(green, 2, () => 'UP')), opts)).toMatchObject({kind: 'waitLb', wait: 'listeners'})
  })
  it('§10.44 fix: a new task DOWN on one LB → waitLb newUp, although old UP rows cover the target', () => {
    const l = [...rows(green, 2, () => 'UP'), ...rows(blue, 1, () => 'UP'), {lb: 1, svname: 'bh0_31000', status: 'DOWN', qcur: 0, scur: 0}]
    expect(plan(observed(blue, green, l), opts)).toMatchObject({kind: 'waitLb', wait: 'newUp'})
  })
  it('an old task draining with sessions → waitLb drain', () => {
    expect(plan(observed(blue, green, both((i) => (i === 0 ? 'MAINT' : 'UP'), () => 2)), opts)).toMatchObject({kind: 'waitLb', wait: 'drain'})
  })
  it('an old task drained on every LB → kill it', () => {
    expect(plan(observed(blue, green, both((i) => (i === 0 ? 'MAINT' : 'UP'))), opts)).toEqual({kind: 'kill', taskIds: ['g.0'], timedOut: false, reason: 'old tasks drained on every load balancer'})
  })
  it('drained on one LB only → not killed', () => {
    const l = [...rows(green, 1, (i) => (i === 0 ? 'MAINT' : 'UP')), ...rows(green, 2, () => 'UP').filter((x) => x.lb === 1), ...rows(blue, 2, () => 'UP')]
    expect(plan(observed(blue, green, l), opts)).toMatchObject({kind: 'waitLb', wait: 'drain'})
  })
  it('after a kill → scaleNew on the same observation', () => {
    const o = observed(blue, green, undefined, {round: {...NEW_ROUND, killed: true}})
    expect(plan(o, opts)).toMatchObject({kind: 'scaleNew', from: 1, to: 2})
  })
  it('nothing draining while the new app is below its goal → scaleNew at once (zdd.py waited --max-wait)', () => {
    expect(plan(observed(blue, green, both(() => 'UP')), opts)).toMatchObject({kind: 'scaleNew', from: 1, to: 2})
  })
  it('--max-wait passed with a task still holding sessions → kill the draining task, timedOut', () => {
    const o = observed(blue, green, both((i) => (i === 0 ? 'MAINT' : 'UP'), () => 2), {now: 300_000})
    expect(plan(o, opts)).toMatchObject({kind: 'kill', taskIds: ['g.0'], timedOut: true})
  })
  it('new at target and every old task drained → deleteOld', () => {
    const b3 = app('b', 3, TARGET)
    const l = [...rows(green, 2, () => 'MAINT'), ...rows(b3, 2, () => 'UP')]
    expect(plan(observed(b3, green, l), opts)).toMatchObject({kind: 'deleteOld', timedOut: false})
  })
  it('hybrid split reached → keepHybrid (no drain wait)', () => {
    const b2 = app('b', 2, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10, HAPROXY_DEPLOYMENT_NEW_INSTANCES: 2})
    const g8 = app('g', 8, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10})
    expect(plan(observed(b2, g8, [...rows(g8, 2, () => 'UP'), ...rows(b2, 2, () => 'UP')]), opts)).toMatchObject({kind: 'keepHybrid'})
  })
  it('--complete-cur turns the hybrid split into a full deploy → scaleNew', () => {
    const b2 = app('b', 2, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10, HAPROXY_DEPLOYMENT_NEW_INSTANCES: 2})
    const g8 = app('g', 8, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10})
    expect(plan(observed(b2, g8, [...rows(g8, 2, () => 'UP'), ...rows(b2, 2, () => 'UP')]), {...opts, completeCur: true})).toMatchObject({kind: 'scaleNew', from: 2, to: 3})
  })
  it('new at goal, nothing draining after --max-wait → stuck (zdd.py looped forever)', () => {
    const b3 = app('b', 3, TARGET)
    const o = observed(b3, green, [...rows(green, 2, () => 'UP'), ...rows(b3, 2, () => 'UP')], {now: 400_000})
    expect(plan(o, opts)).toMatchObject({kind: 'stuck'})
  })
  it('new at goal, a load balancer that never lists the group\'s servers, after --max-wait → stuck (it looped forever)', () => {
    const b3 = app('b', 3, TARGET)
    // LB 1 lists nothing of either app: it does not serve the deployment group.
    const o = observed(b3, green, [...rows(green, 1, () => 'UP'), ...rows(b3, 1, () => 'UP')], {now: 400_000})
    expect(plan(o, opts)).toMatchObject({kind: 'stuck', reason: expect.stringContaining('did not all list the servers of both apps (waiting for every load balancer to list 6 servers')})
    // Below its goal the new app still grows instead.
    expect(plan({...o, newApp: app('b', 2, TARGET)}, opts)).toMatchObject({kind: 'scaleNew'})
  })
  it('new at goal, waiting for a drain → nextRound after a kill', () => {
    const b3 = app('b', 3, TARGET)
    expect(plan(observed(b3, green, undefined, {round: {...NEW_ROUND, killed: true}}), opts)).toMatchObject({kind: 'nextRound'})
  })

  it('isReadyToDeleteOld: hybrid needs both split sizes; full needs every old task in the kill list', () => {
    const b2 = app('b', 2, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10, HAPROXY_DEPLOYMENT_NEW_INSTANCES: 2})
    expect(isReadyToDeleteOld(b2, app('g', 8, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10}), [], opts)).toBe(true)
    expect(isReadyToDeleteOld(b2, app('g', 9, {HAPROXY_DEPLOYMENT_TARGET_INSTANCES: 10}), [], opts)).toBe(false)
    expect(isReadyToDeleteOld(app('b', 3, TARGET), green, ['g.0', 'g.1'], opts)).toBe(false)
    expect(isReadyToDeleteOld(app('b', 3, TARGET), green, ['g.0', 'g.1', 'g.2'], opts)).toBe(true)
  })
})
