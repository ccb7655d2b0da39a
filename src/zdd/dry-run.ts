/**
 * `--dry-run`: the planned steps, in words, without changing anything. On a fresh deploy the
 * plan is projected from the prepared app; on the resume path (where zdd.py acted for real,
 * spec §10.43) Marathon and the load balancers are observed once and the planner's next step is
 * shown.
 */
import {LABEL, deploymentGroup, deploymentTarget} from './app.js'
import {groupBackendName} from './drain.js'
import {pollLbs} from './lb.js'
import {isHybrid, nextInstances, plan, scaleGoal} from './plan.js'
import type {PreparedApp} from './prepare.js'
import {NEW_ROUND, type PlanOptions, type Step, type ZddApp} from './state.js'
import type {SwapDeps, SwapOptions} from './swap.js'

/** One line describing a step. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'waitDeployment':
    case 'waitLb':
    case 'nextRound':
    case 'stuck':
    case 'deployTimedOut':
    case 'keepHybrid':
      return step.reason
    case 'kill':
      return `kill ${step.taskIds.length} old task(s) with scale=true: ${step.taskIds.join(', ')} (${step.reason})`
    case 'scaleNew':
      return `scale the new app from ${step.from} to ${step.to} (${step.reason})`
    case 'deleteOld':
      return `delete the old app (${step.reason})`
  }
}

function sized(app: ZddApp, instances: number): ZddApp {
  return {...app, instances}
}

/** The new app's sizes from `newApp.instances` to its goal, assuming old tasks drain as new ones come up. */
export function projectedSizes(newApp: ZddApp, oldApp: ZddApp, opts: Pick<PlanOptions, 'linearIncrease' | 'completeCur' | 'completePrev'>): number[] {
  const goal = scaleGoal(newApp, opts)
  const sizes = [newApp.instances]
  let n = newApp.instances
  for (let i = 0; i < 1000 && n < goal; i++) {
    const old = Math.max(0, oldApp.instances - (n - newApp.instances))
    n = nextInstances(sized(newApp, n), sized(oldApp, old), opts)
    sizes.push(n)
  }
  return sizes
}

function asApp(json: PreparedApp['app']): ZddApp {
  const labels = (json['labels'] ?? {}) as Record<string, string>
  return {id: String(json['id']), instances: Number(json['instances'] ?? 0), labels, tasks: [], deployments: 0, json}
}

/** The steps a fresh deploy would take. */
export function dryRunSteps(prepared: PreparedApp, opts: SwapOptions): string[] {
  const app = asApp(prepared.app)
  const steps = [`create ${app.id} (${prepared.colour}) with ${app.instances} instance(s); deployment target ${prepared.target}`]
  const last = prepared.last
  if (last === undefined) return [...steps, 'first deploy of the group: nothing to swap']
  const pxname = groupBackendName(deploymentGroup(app) ?? '', app.labels[LABEL.port0] ?? '')
  const bound = opts.deployTimeoutMs > 0 ? `; each Marathon deployment of ${app.id} waited for at most ${opts.deployTimeoutMs / 1000}s (--deploy-timeout)` : ''
  steps.push(`scale ${app.id} through ${projectedSizes(app, last, opts).join(' → ')} as ${last.id}'s tasks drain on every load balancer (backend ${pxname})${bound}`)
  steps.push(`before each kill: ${opts.preKillHook === undefined ? 'no pre-kill hook' : `run the pre-kill hook ${opts.preKillHook}`}; wait at most ${opts.maxWaitMs / 1000}s per drain`)
  if (isHybrid(app, opts)) {
    steps.push(`stop at the hybrid split: ${app.labels[LABEL.newInstances] ?? '0'} new, ${deploymentTarget(last) - Number(app.labels[LABEL.newInstances] ?? 0)} old; keep ${last.id}`)
  } else {
    steps.push(`delete ${last.id} once all its tasks are drained`)
  }
  return steps
}

/** Observes the two colours and the load balancers once and describes what a real run would do next. */
export async function resumeDryRun(newId: string, oldId: string, opts: SwapOptions, deps: SwapDeps): Promise<string[]> {
  const [newApp, oldApp] = await Promise.all([deps.marathon.getApp(newId), deps.marathon.getApp(oldId)])
  await deps.prepareNames([newApp, oldApp])
  const pxname = groupBackendName(deploymentGroup(newApp) ?? '', newApp.labels[LABEL.port0] ?? '')
  const poll = await pollLbs(await deps.lbUrls(), deps.lb, pxname)
  const step = plan({newApp, oldApp, lbs: poll.snapshot, round: {...NEW_ROUND, drainWaitStartedAt: deps.clock.monotonic()}, now: deps.clock.monotonic()}, opts)
  return [
    `now: ${newApp.id} has ${newApp.instances} instance(s), ${oldApp.id} has ${oldApp.instances}`,
    `next: ${describeStep(step)}`,
    `then: scale ${newApp.id} through ${projectedSizes(newApp, oldApp, opts).join(' → ')}; ${isHybrid(newApp, opts) ? `keep ${oldApp.id} (hybrid)` : `delete ${oldApp.id}`}`,
    ...poll.errors.map((e) => `load balancer not readable: ${e}`),
  ]
}
