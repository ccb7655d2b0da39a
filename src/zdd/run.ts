/**
 * `mlb zdd` as one function (spec §8.3 `do_zdd`): validate, find the deployment group's apps,
 * create the new colour (or pick up a deployment in progress) and run the swap. Always returns a
 * {@link ZddResult} with the exit status; the command only renders and exits.
 */
import type {Clock} from '../clock.js'
import {InvalidArgError, MlbError, errorMessage} from '../errors.js'
import {deploymentGroup} from './app.js'
import {dryRunSteps, resumeDryRun} from './dry-run.js'
import {DeclinedError, DeploymentInProgressError, InterruptedError, stopIfInterrupted} from './errors.js'
import type {Outcome, ZddResult} from './events.js'
import {checkHookExecutable} from './hook.js'
import {prepareNewApp, previousDeploys, resumePair, startedAtStamp, validateAppJson} from './prepare.js'
import {confirmStep, swap, type Emit, type SwapDeps, type SwapOptions} from './swap.js'
import type {ZddApp} from './state.js'

/** Settings of a run (from the command line). */
export interface ZddRunOptions extends SwapOptions {
  /** Parsed content of `--json`. */
  readonly appJson: unknown
  readonly dryRun: boolean
  readonly resume: boolean
  readonly initialInstances: number
  readonly newInstances: number
  /** stdin and stdout are a terminal, so prompts can be answered. */
  readonly interactive: boolean
}

/** A run's edges: the swap's, plus the clock for STARTED_AT. */
export type ZddRunDeps = SwapDeps & {readonly clock: Clock}

interface Ids {
  newAppId?: string
  oldAppId?: string
}

/** Runs zdd; never throws for expected failures (they become the result's exit status). */
export async function runZdd(opts: ZddRunOptions, deps: ZddRunDeps): Promise<ZddResult> {
  const started = deps.clock.monotonic()
  const ids: Ids = {}
  let outcome: Outcome
  let exit = 0
  let message: string
  let code: string | undefined
  try {
    ;({outcome, message} = await execute(opts, deps, ids))
  } catch (err) {
    if (err instanceof MlbError) {
      exit = err.exit
      code = err.code
      message = err.message
      outcome = err instanceof InterruptedError ? 'interrupted' : err instanceof DeclinedError ? 'declined' : 'failed'
    } else {
      // Anything unexpected is zdd.py's exit 2, with one line instead of a traceback.
      exit = 2
      code = 'MLB_ERR_ZDD_UNEXPECTED'
      message = `unexpected error: ${errorMessage(err)}`
      outcome = 'failed'
      deps.logger.debug('unexpected error', {stack: err instanceof Error ? err.stack : String(err)})
    }
  }
  const result: ZddResult = {
    type: 'result',
    time: deps.clock.now(),
    outcome,
    exit,
    message,
    ...(ids.newAppId === undefined ? {} : {newAppId: ids.newAppId}),
    ...(ids.oldAppId === undefined ? {} : {oldAppId: ids.oldAppId}),
    ...(code === undefined ? {} : {code}),
    durationMs: Math.round(deps.clock.monotonic() - started),
  }
  await deps.reporter.finish(result)
  return result
}

async function execute(opts: ZddRunOptions, deps: ZddRunDeps, ids: Ids): Promise<{outcome: Outcome; message: string}> {
  const emit: Emit = (e) => deps.reporter.event({...e, time: deps.clock.now()} as Parameters<typeof deps.reporter.event>[0])
  if (!opts.force && !opts.dryRun && !opts.interactive) {
    throw new DeclinedError('Not running on a terminal, so there is nobody to confirm: pass --force (-f) to deploy without prompts (nothing was changed)')
  }
  const json = validateAppJson(opts.appJson)
  if (opts.preKillHook !== undefined) await checkHookExecutable(opts.preKillHook)
  const group = String((json['labels'] as Record<string, unknown>)['HAPROXY_DEPLOYMENT_GROUP'])
  const previous = previousDeploys(await deps.marathon.listApps(deps.signal), group)
  if (previous.length > 1) return resumePath(previous, opts, deps, ids, emit)
  if (opts.completeCur || opts.completePrev) throw new InvalidArgError('Cannot use --complete-cur, --complete-prev flags when config is not hybrid')
  const prepared = prepareNewApp({json, previous, initialInstances: opts.initialInstances, newInstances: opts.newInstances, startedAt: startedAtStamp(deps.clock.now())})
  const newId = String(prepared.app['id'])
  ids.newAppId = newId
  if (prepared.last !== undefined) ids.oldAppId = prepared.last.id
  deps.logger.info('Final app definition:')
  emit({type: 'appDefinition', app: prepared.app})
  if (opts.dryRun) {
    emit({type: 'planned', steps: dryRunSteps(prepared, opts)})
    return {outcome: 'dry-run', message: 'Dry run: nothing was changed'}
  }
  await confirmStep(opts.force, deps, 'Continue with deployment?', `creating ${newId}`, 'Declined: nothing was changed')
  // As before every write (swap.ts): a signal that came during the steps above stops here.
  stopIfInterrupted(deps.signal, `before creating ${newId}`)
  await deps.marathon.createApp(prepared.app, deps.signal)
  emit({type: 'created', appId: newId, instances: Number(prepared.app['instances'] ?? 0)})
  if (prepared.last === undefined) return {outcome: 'first-deploy', message: `Created ${newId} (first deploy of group ${group}, nothing to swap)`}
  emit({type: 'resuming', newAppId: newId, oldAppId: prepared.last.id, mode: 'swap'})
  return finishSwap(await swap(newId, prepared.last.id, opts, deps), newId, prepared.last.id)
}

function finishSwap(outcome: 'deployed' | 'hybrid', newId: string, oldId: string): {outcome: Outcome; message: string} {
  if (outcome === 'hybrid') return {outcome, message: `Hybrid deployment in place: ${newId} and ${oldId} both serve; not deleting ${oldId}`}
  return {outcome, message: `Deployed ${newId}; deleted ${oldId}`}
}

async function resumePath(previous: readonly ZddApp[], opts: ZddRunOptions, deps: ZddRunDeps, ids: Ids, emit: Emit): Promise<{outcome: Outcome; message: string}> {
  const mode = opts.completeCur ? 'complete-cur' : opts.completePrev ? 'complete-prev' : opts.resume ? 'resume' : undefined
  const pair = resumePair(previous, mode === 'complete-prev')
  if (mode === undefined) {
    const names = previous.map((a) => a.id).join(', ')
    throw new DeploymentInProgressError(`There appears to be an existing deployment in progress (${names}): pass --resume, --complete-cur or --complete-prev`)
  }
  ids.newAppId = pair.newApp.id
  ids.oldAppId = pair.oldApp.id
  emit({type: 'resuming', newAppId: pair.newApp.id, oldAppId: pair.oldApp.id, mode})
  if (opts.dryRun) {
    // zdd.py acted for real here (spec §10.43): mlb only observes and prints the next step.
    emit({type: 'planned', steps: await resumeDryRun(pair.newApp.id, pair.oldApp.id, opts, deps)})
    return {outcome: 'dry-run', message: 'Dry run: nothing was changed'}
  }
  deps.logger.info(`Resuming: ${pair.newApp.id} replaces ${pair.oldApp.id} (group ${deploymentGroup(pair.newApp) ?? ''})`)
  return finishSwap(await swap(pair.newApp.id, pair.oldApp.id, opts, deps), pair.newApp.id, pair.oldApp.id)
}
