/**
 * The swap loop (spec §8.3, style rule 9): observe both colours and every load balancer, ask
 * the planner for the next step, execute it, repeat. Only this module acts on Marathon during a
 * swap; every action is preceded by the planner's "already done?" checks, so an interrupted run
 * is continued by `--resume` from whatever state Marathon and the load balancers are in.
 */
import type {Clock} from '../clock.js'
import {MarathonLbEndpointError} from '../errors.js'
import type {Logger} from '../log.js'
import {LABEL, deploymentGroup, isDeploying} from './app.js'
import {groupBackendName, lbCounts} from './drain.js'
import {DeclinedError, InterruptedError} from './errors.js'
import type {LbCount, Reporter, ZddEvent, ZddEventBody} from './events.js'
import {hookArgv, runPreKillHook, type HookRunner} from './hook.js'
import {pollLbs, type LbClient} from './lb.js'
import type {ZddMarathon} from './marathon.js'
import {assertNever, plan} from './plan.js'
import type {Prompter} from './prompt.js'
import {NEW_ROUND, type LbSnapshot, type Observed, type PlanOptions, type RoundState, type Step, type ZddApp} from './state.js'

/** Settings of a swap. */
export interface SwapOptions extends PlanOptions {
  readonly stepDelayMs: number
  readonly force: boolean
  readonly preKillHook: string | undefined
  /** Safety bound on observations (tests); undefined = until done. */
  readonly maxPolls?: number
}

/** The edges a swap acts through. */
export interface SwapDeps {
  readonly marathon: ZddMarathon
  readonly lb: LbClient
  /** The load balancer URLs, resolved again for every round (DNS may change). */
  readonly lbUrls: () => Promise<string[]>
  /** Resolves task host names (for server names); called before each plan. */
  readonly prepareNames: (apps: readonly ZddApp[]) => Promise<void>
  readonly hook: HookRunner
  readonly prompter: Prompter
  readonly clock: Clock
  readonly reporter: Reporter
  readonly logger: Logger
  readonly signal: AbortSignal | undefined
}

/** How a swap ended. */
export type SwapOutcome = 'deployed' | 'hybrid'

/** Stamps and reports an event. */
export type Emit = (e: ZddEventBody) => void

function signalName(signal: AbortSignal | undefined): 'SIGINT' | 'SIGTERM' {
  return signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'
}

function stopIfInterrupted(deps: SwapDeps, before: string): void {
  if (deps.signal?.aborted === true) {
    const sig = signalName(deps.signal)
    throw new InterruptedError(`Interrupted by ${sig} before ${before}; Marathon is left as it is: run the same command with --resume to continue`, sig)
  }
}

async function pause(deps: SwapDeps, ms: number): Promise<void> {
  try {
    await deps.clock.sleep(ms, deps.signal)
  } catch {
    stopIfInterrupted(deps, 'the next poll')
    throw new Error('sleep failed')
  }
}

/** Runs the swap of `newId` in and `oldId` out until the old app is deleted (or the hybrid split is reached). */
export async function swap(newId: string, oldId: string, opts: SwapOptions, deps: SwapDeps): Promise<SwapOutcome> {
  const emit: Emit = (e) => deps.reporter.event({...e, time: deps.clock.now()} as ZddEvent)
  let round: RoundState = NEW_ROUND
  let urls: string[] | undefined
  let lastStep = ''
  let lastProgress = ''
  for (let polls = 0; opts.maxPolls === undefined || polls < opts.maxPolls; polls++) {
    stopIfInterrupted(deps, 'the next poll')
    const [newApp, oldApp] = await Promise.all([deps.marathon.getApp(newId), deps.marathon.getApp(oldId)])
    await deps.prepareNames([newApp, oldApp])
    let lbs: LbSnapshot | undefined
    if (!isDeploying(newApp)) {
      urls ??= await deps.lbUrls()
      const pxname = groupBackendName(deploymentGroup(newApp) ?? '', newApp.labels[LABEL.port0] ?? '')
      const poll = await pollLbs(urls, deps.lb, pxname)
      for (const e of poll.errors) deps.logger.debug(`load balancer poll: ${e}`)
      // zdd.py: the first stats fetch of a round must work (exit 5); later failures are retried.
      if (poll.snapshot.listeners === undefined && round.drainWaitStartedAt === undefined) {
        throw new MarathonLbEndpointError(`Error while querying the load balancers: ${poll.errors.join('; ')}`)
      }
      round = {...round, drainWaitStartedAt: round.drainWaitStartedAt ?? deps.clock.monotonic(), lastListeners: poll.snapshot.listeners ?? round.lastListeners}
      lbs = poll.snapshot
    }
    lastProgress = reportProgress(emit, newApp, oldApp, lbs, urls ?? [], lastProgress)
    const observed: Observed = {newApp, oldApp, lbs, round, now: deps.clock.monotonic()}
    let step = plan(observed, opts)
    lastStep = reportStep(emit, step, lastStep)
    if (step.kind === 'kill') {
      await kill(step.taskIds, step.timedOut, newApp, oldApp, opts, deps, emit)
      // Same observation, round marked: the planner now decides the scale-up (zdd.py does both in one round).
      step = plan({...observed, round: {...round, killed: true}}, opts)
      lastStep = reportStep(emit, step, lastStep)
    }
    switch (step.kind) {
      case 'waitDeployment':
      case 'waitLb':
        await pause(deps, opts.stepDelayMs)
        break
      case 'kill':
        throw new Error('planner returned a second kill in one round')
      case 'scaleNew':
        stopIfInterrupted(deps, `scaling ${newApp.id} to ${step.to}`)
        await deps.marathon.scaleApp(newApp.id, step.to)
        emit({type: 'scaled', appId: newApp.id, from: step.from, to: step.to})
        round = NEW_ROUND
        urls = undefined
        break
      case 'nextRound':
        round = NEW_ROUND
        urls = undefined
        await pause(deps, opts.stepDelayMs)
        break
      case 'deleteOld':
        await deleteOld(oldApp, step.timedOut, opts, deps, emit)
        return 'deployed'
      case 'keepHybrid':
        return 'hybrid'
      case 'stuck':
        throw new MarathonLbEndpointError(step.reason)
      default:
        assertNever(step)
    }
  }
  throw new Error(`swap did not finish within ${String(opts.maxPolls)} polls`)
}

function reportStep(emit: Emit, step: Step, last: string): string {
  const key = `${step.kind}:${step.reason}`
  if (key !== last) emit({type: 'step', step})
  return key
}

function reportProgress(emit: Emit, newApp: ZddApp, oldApp: ZddApp, lbs: LbSnapshot | undefined, urls: readonly string[], last: string): string {
  const counts: LbCount[] = lbs?.listeners === undefined ? [] : lbCounts(lbs.listeners, lbs.count).map((c, i) => ({url: urls[i] ?? String(i), ...c}))
  const count = (a: ZddApp): {id: string; instances: number; tasks: number} => ({id: a.id, instances: a.instances, tasks: a.tasks.length})
  const e = {type: 'progress' as const, newApp: count(newApp), oldApp: count(oldApp), lbs: counts}
  const key = JSON.stringify(e)
  if (key !== last) emit(e)
  return key
}

async function kill(taskIds: readonly string[], timedOut: boolean, newApp: ZddApp, oldApp: ZddApp, opts: SwapOptions, deps: SwapDeps, emit: Emit): Promise<void> {
  stopIfInterrupted(deps, `killing ${taskIds.length} tasks of ${oldApp.id}`)
  if (timedOut) {
    emit({type: 'warning', message: `--max-wait of ${opts.maxWaitMs / 1000}s passed: killing ${taskIds.length} tasks of ${oldApp.id} that are draining but may still have open connections`})
  }
  if (opts.preKillHook !== undefined) {
    emit({type: 'hook', hook: opts.preKillHook, taskIds})
    await runPreKillHook(deps.hook, hookArgv(opts.preKillHook, oldApp.json, taskIds, newApp.json))
    stopIfInterrupted(deps, `killing ${taskIds.length} tasks of ${oldApp.id} (the pre-kill hook has run)`)
  }
  deps.logger.info(`There are ${taskIds.length} draining listeners, about to kill the following tasks:\n  - ${taskIds.join('\n  - ')}`)
  if (!opts.force && !(await deps.prompter.confirm('Continue?'))) throw new DeclinedError(`Declined: ${oldApp.id} keeps its tasks; run again with --resume to continue`)
  await deps.marathon.killTasks(taskIds)
  emit({type: 'killed', appId: oldApp.id, taskIds})
}

async function deleteOld(oldApp: ZddApp, timedOut: boolean, opts: SwapOptions, deps: SwapDeps, emit: Emit): Promise<void> {
  stopIfInterrupted(deps, `deleting ${oldApp.id}`)
  if (timedOut) emit({type: 'warning', message: `--max-wait of ${opts.maxWaitMs / 1000}s passed: deleting ${oldApp.id} while its last tasks are draining but may still have open connections`})
  deps.logger.info(`About to delete old app ${oldApp.id}`)
  if (!opts.force && !(await deps.prompter.confirm('Continue?'))) throw new DeclinedError(`Declined: ${oldApp.id} was not deleted; run again with --resume to finish`)
  await deps.marathon.deleteApp(oldApp.id)
  emit({type: 'deleted', appId: oldApp.id})
}
