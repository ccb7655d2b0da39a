/**
 * The swap loop (spec §8.3, style rule 9): observe both colours and every load balancer, ask
 * the planner for the next step, execute it, repeat. Only this module acts on Marathon during a
 * swap; every action is preceded by the planner's "already done?" checks, so an interrupted run
 * is continued by `--resume` from whatever state Marathon and the load balancers are in.
 * Once zdd has been signalled (SIGINT, SIGTERM) it sends nothing more: every wait, request, prompt
 * and hook takes the run's AbortSignal and the run stops with 130/143 (InterruptedError).
 */
import type {Clock} from '../clock.js'
import {MarathonLbEndpointError} from '../errors.js'
import type {Logger} from '../log.js'
import {LABEL, deploymentGroup, isDeploying} from './app.js'
import {groupBackendName, lbCounts} from './drain.js'
import {DeclinedError, DeployTimeoutError, HookFailedError, stopIfInterrupted, stopSignal} from './errors.js'
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

async function pause(deps: SwapDeps, ms: number): Promise<void> {
  try {
    await deps.clock.sleep(ms, deps.signal)
  } catch {
    stopIfInterrupted(deps.signal, 'before the next poll')
    throw new Error('sleep failed')
  }
}

/**
 * Asks `question` unless --force; "no" is {@link DeclinedError}. A signal ends the question at
 * once and wins over any answer given with it: the run stops (130/143) before the step asked about.
 */
export async function confirmStep(force: boolean, deps: Pick<SwapDeps, 'prompter' | 'signal'>, question: string, step: string, declined: string): Promise<void> {
  if (force) return
  const yes = await deps.prompter.confirm(question, deps.signal)
  stopIfInterrupted(deps.signal, `at the prompt before ${step}`)
  if (!yes) throw new DeclinedError(declined)
}

/** How long a hook killed by SIGINT/SIGTERM waits for zdd's own signal (see {@link runHook}). */
const OWN_SIGNAL_GRACE_MS = 200

/**
 * Runs the pre-kill hook. When zdd itself has been signalled, a hook that failed (typically: died
 * of the same signal, sent to the whole process group by Ctrl-C or a Jenkins abort, or passed on
 * by the runner) is an interruption (130/143), not a broken hook (2).
 */
async function runHook(argv: readonly string[], step: string, deps: SwapDeps): Promise<void> {
  try {
    await runPreKillHook(deps.hook, argv, deps.signal)
  } catch (err) {
    // A group signal reaches the hook and zdd together, and the hook's death may be reported
    // just before zdd's own handler runs: give that signal a moment to arrive.
    const bySignal = err instanceof HookFailedError && (err.signal === 'SIGINT' || err.signal === 'SIGTERM')
    if (bySignal && stopSignal(deps.signal) === undefined) await deps.clock.sleep(OWN_SIGNAL_GRACE_MS, deps.signal).catch(() => undefined)
    stopIfInterrupted(deps.signal, `while the pre-kill hook ran, before ${step}`, err)
    throw err
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
    stopIfInterrupted(deps.signal, 'before the next poll')
    const [newApp, oldApp] = await Promise.all([deps.marathon.getApp(newId, deps.signal), deps.marathon.getApp(oldId, deps.signal)])
    await deps.prepareNames([newApp, oldApp])
    let lbs: LbSnapshot | undefined
    if (isDeploying(newApp)) round = {...round, deployWaitStartedAt: round.deployWaitStartedAt ?? deps.clock.monotonic()}
    else {
      urls ??= await deps.lbUrls()
      const pxname = groupBackendName(deploymentGroup(newApp) ?? '', newApp.labels[LABEL.port0] ?? '')
      const poll = await pollLbs(urls, deps.lb, pxname, deps.signal)
      // An aborted poll fails like an unreachable LB: not exit 5.
      stopIfInterrupted(deps.signal, 'while polling the load balancers')
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
        stopIfInterrupted(deps.signal, `before scaling ${newApp.id} to ${step.to}`)
        await deps.marathon.scaleApp(newApp.id, step.to, deps.signal)
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
      case 'deployTimedOut':
        throw new DeployTimeoutError(step.reason)
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
  const step = `killing ${taskIds.length} tasks of ${oldApp.id}`
  stopIfInterrupted(deps.signal, `before ${step}`)
  if (timedOut) {
    emit({type: 'warning', message: `--max-wait of ${opts.maxWaitMs / 1000}s passed: killing ${taskIds.length} tasks of ${oldApp.id} that are draining but may still have open connections`})
  }
  if (opts.preKillHook !== undefined) {
    emit({type: 'hook', hook: opts.preKillHook, taskIds})
    await runHook(hookArgv(opts.preKillHook, oldApp.json, taskIds, newApp.json), step, deps)
    stopIfInterrupted(deps.signal, `before ${step} (the pre-kill hook has run)`)
  }
  deps.logger.info(`There are ${taskIds.length} draining listeners, about to kill the following tasks:\n  - ${taskIds.join('\n  - ')}`)
  await confirmStep(opts.force, deps, 'Continue?', step, `Declined: ${oldApp.id} keeps its tasks; run again with --resume to continue`)
  await deps.marathon.killTasks(taskIds, deps.signal)
  emit({type: 'killed', appId: oldApp.id, taskIds})
}

async function deleteOld(oldApp: ZddApp, timedOut: boolean, opts: SwapOptions, deps: SwapDeps, emit: Emit): Promise<void> {
  stopIfInterrupted(deps.signal, `before deleting ${oldApp.id}`)
  if (timedOut) emit({type: 'warning', message: `--max-wait of ${opts.maxWaitMs / 1000}s passed: deleting ${oldApp.id} while its last tasks are draining but may still have open connections`})
  deps.logger.info(`About to delete old app ${oldApp.id}`)
  await confirmStep(opts.force, deps, 'Continue?', `deleting ${oldApp.id}`, `Declined: ${oldApp.id} was not deleted; run again with --resume to finish`)
  await deps.marathon.deleteApp(oldApp.id, deps.signal)
  emit({type: 'deleted', appId: oldApp.id})
}
