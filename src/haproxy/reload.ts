/**
 * Reloading HAProxy and confirming it (spec §6.6, with its `0` quirk fixed; users-and-peers §1
 * pain 3: confirm through the master CLI's `show proc`, never through `pidof`).
 *
 * `maxReloadRetries` and `reloadIntervalMs` keep marathon-lb's meaning: every interval without
 * confirmation is a checkpoint; a positive limit is decremented and the reload re-issued until
 * it reaches 0 (then give up); a negative limit re-issues forever. marathon-lb's `0` waited
 * forever without re-issuing (§10.23); here `0` never re-issues and gives up after one interval.
 */
import {systemClock, type Clock} from '../clock.js'
import {errorMessage} from '../errors.js'
import {requestReload, showProc, showProcSettled} from './master.js'
import {judgeReload, type ProcTable} from './proc.js'
import {runProcess} from './run-process.js'
import {shlexSplit} from './shlex.js'

/** Outcome of one reload. */
export interface ReloadResult {
  readonly ok: boolean
  /** The new worker was seen in `show proc` (false in command mode without a master socket). */
  readonly confirmed: boolean
  /** How many times the reload was issued. */
  readonly attempts: number
  readonly durationMs: number
  /** Pid of the worker the reload started, when confirmed. */
  readonly worker?: number
  readonly error?: string
}

/** Anything that can reload HAProxy. */
export interface Reloader {
  readonly mode: 'master' | 'command'
  reload(signal?: AbortSignal): Promise<ReloadResult>
}

/** Retry policy shared by both reloaders. */
export interface RetryPolicy {
  /** `--max-reload-retries` (default 10). */
  readonly maxReloadRetries?: number
  /** `--reload-interval` in ms (default 10 s). */
  readonly reloadIntervalMs?: number
  /** How often `show proc` is polled while waiting (default 50 ms). */
  readonly pollMs?: number
  readonly clock?: Clock
}

/** What the retry loop needs from a reloader. */
interface LoopSteps {
  /** Issues the reload; resolves with an error message when issuing itself failed. */
  issue(): Promise<string | undefined>
  /** Current verdict, or undefined when confirmation is impossible (treated as success). */
  verdict(): Promise<'pending' | {ok: true; worker: number} | {ok: false; error: string} | undefined>
}

/** Whether another reload should be issued at checkpoint `k` (1-based), per §6.6. */
export function shouldReissue(maxReloadRetries: number, checkpoint: number): boolean {
  if (maxReloadRetries < 0) return true
  return maxReloadRetries - checkpoint > 0
}

async function reloadLoop(steps: LoopSteps, policy: RetryPolicy, signal?: AbortSignal): Promise<ReloadResult> {
  const clock = policy.clock ?? systemClock
  const max = policy.maxReloadRetries ?? 10
  const interval = policy.reloadIntervalMs ?? 10_000
  const pollMs = policy.pollMs ?? 50
  const start = clock.monotonic()
  const done = (r: Omit<ReloadResult, 'durationMs'>): ReloadResult => ({...r, durationMs: clock.monotonic() - start})
  let attempts = 0
  for (let checkpoint = 1; ; checkpoint++) {
    attempts++
    const issueError = await steps.issue()
    if (issueError !== undefined) return done({ok: false, confirmed: false, attempts, error: issueError})
    const deadline = clock.monotonic() + interval
    while (clock.monotonic() < deadline) {
      if (signal?.aborted) return done({ok: false, confirmed: false, attempts, error: 'reload wait aborted'})
      const v = await steps.verdict()
      if (v === undefined) return done({ok: true, confirmed: false, attempts})
      if (v !== 'pending') {
        return v.ok
          ? done({ok: true, confirmed: true, attempts, worker: v.worker})
          : done({ok: false, confirmed: true, attempts, error: v.error})
      }
      await clock.sleep(Math.min(pollMs, Math.max(0, deadline - clock.monotonic())))
    }
    if (!shouldReissue(max, checkpoint)) {
      return done({ok: false, confirmed: false, attempts, error: `no new HAProxy worker after ${attempts} reload(s) and ${checkpoint * interval} ms`})
    }
  }
}

/** Verdict steps based on `show proc` before and after, shared by both reloaders. */
function procVerdict(masterSocket: string, clock: Clock): {baseline(): Promise<void>; verdict: LoopSteps['verdict']} {
  let before: ProcTable | undefined
  return {
    baseline: async () => {
      // Right after a previous reload the master may still be re-executing and not listening.
      before = await showProcSettled(masterSocket, {clock})
    },
    verdict: async () => {
      if (before === undefined) return 'pending'
      let after: ProcTable
      try {
        after = await showProc(masterSocket, {clock, timeoutMs: 2000})
      } catch {
        return 'pending' // the master is re-executing and not listening yet
      }
      const v = judgeReload(before, after)
      if (v.kind === 'pending') return 'pending'
      if (v.kind === 'ok') return {ok: true, worker: v.worker}
      return {ok: false, error: `HAProxy rejected the new configuration (failed reloads: ${v.failedReloads}); the previous worker keeps serving`}
    },
  }
}

/** Reloads through the master CLI (`reload`) and confirms through `show proc`. */
export function createMasterReloader(masterSocket: string, policy: RetryPolicy = {}): Reloader {
  const clock = policy.clock ?? systemClock
  return {
    mode: 'master',
    reload: async (signal) => {
      const proc = procVerdict(masterSocket, clock)
      try {
        await proc.baseline()
      } catch (err) {
        return {ok: false, confirmed: false, attempts: 0, durationMs: 0, error: `master CLI unavailable: ${errorMessage(err)}`}
      }
      const issue = async (): Promise<string | undefined> => {
        try {
          await requestReload(masterSocket, {clock})
          return undefined
        } catch (err) {
          return `reload request failed: ${errorMessage(err)}`
        }
      }
      return reloadLoop({issue, verdict: proc.verdict}, policy, signal)
    },
  }
}

/** Options of {@link createCommandReloader}. */
export interface CommandReloaderOptions extends RetryPolicy {
  /** `--command`, split shell-style and run without a shell. */
  readonly command: string
  /** Bound on one run of the command (default 60 s). */
  readonly timeoutMs?: number
  /** When HAProxy's master socket is reachable, confirm through `show proc` too. */
  readonly masterSocket?: string
  readonly env?: NodeJS.ProcessEnv
}

/**
 * marathon-lb's external reload command (`--command`), for HAProxy run elsewhere: a non-zero
 * exit is a failed reload (the procedure ends, as in marathon-lb). Without a master socket
 * the exit status is the only confirmation.
 */
export function createCommandReloader(options: CommandReloaderOptions): Reloader {
  const clock = options.clock ?? systemClock
  const argv = shlexSplit(options.command)
  const [file, ...args] = argv
  if (file === undefined) throw new Error('--command is empty')
  const run = async (): Promise<string | undefined> => {
    const r = await runProcess(file, args, {timeoutMs: options.timeoutMs ?? 60_000, clock, ...(options.env ? {env: options.env} : {})})
    if (r.code === 0) return undefined
    const why = r.spawnError ?? (r.timedOut ? 'timed out' : `exit status ${r.code ?? r.signal}`)
    return `reload command ${JSON.stringify(options.command)} failed: ${why}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 500)}` : ''}`
  }
  return {
    mode: 'command',
    reload: async (signal) => {
      if (options.masterSocket === undefined) return reloadLoop({issue: run, verdict: async () => undefined}, options, signal)
      const proc = procVerdict(options.masterSocket, clock)
      try {
        await proc.baseline()
      } catch {
        return reloadLoop({issue: run, verdict: async () => undefined}, options, signal)
      }
      return reloadLoop({issue: run, verdict: proc.verdict}, options, signal)
    },
  }
}
