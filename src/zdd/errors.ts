/**
 * zdd failures that have no class in src/errors.ts, with the exit statuses docs/zdd.md lists.
 * (InvalidArgError 3 … AppScaleError 9 live in src/errors.ts.)
 */
import {ZddError} from '../errors.js'

/** The operator answered "no" at a prompt, or there is no terminal to ask on without --force (exit 1). */
export class DeclinedError extends ZddError {
  constructor(message: string) {
    super(message, {code: 'MLB_ERR_ZDD_DECLINED', exit: 1})
  }
}

/** Two colours exist and neither --resume nor a --complete flag was given (zdd.py: exit 2). */
export class DeploymentInProgressError extends ZddError {
  constructor(message: string) {
    super(message, {code: 'MLB_ERR_ZDD_IN_PROGRESS', exit: 2})
  }
}

/** The pre-kill hook is missing, not executable, or exited non-zero (zdd.py: exit 2). */
export class HookFailedError extends ZddError {
  /** The hook's exit status, when it ran. */
  readonly status: number | undefined
  /** The signal that ended the hook, when one did (it may be zdd's own: see swap.ts). */
  readonly signal: string | undefined
  constructor(message: string, options: {status?: number; signal?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause, code: 'MLB_ERR_ZDD_HOOK', exit: 2})
    this.status = options.status
    this.signal = options.signal
  }
}

/**
 * Marathon's deployment of the new app (its creation or a scale-up) did not finish within
 * --deploy-timeout (exit 10, an mlb extension: zdd.py waited without a bound). Marathon and the
 * load balancers are left as they are, so `--resume` waits again.
 */
export class DeployTimeoutError extends ZddError {
  constructor(message: string) {
    super(message, {code: 'MLB_ERR_ZDD_DEPLOY_TIMEOUT', exit: 10})
  }
}

/** The run stopped on SIGINT (exit 130) or SIGTERM (exit 143); Marathon is left as it is. */
export class InterruptedError extends ZddError {
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM', options: {cause?: unknown} = {}) {
    super(message, {cause: options.cause, code: 'MLB_ERR_ZDD_INTERRUPTED', exit: signal === 'SIGINT' ? 130 : 143})
  }
}

/** The signal that stopped zdd (the command aborts its controller with the signal's name), if any. */
export function stopSignal(signal: AbortSignal | undefined): 'SIGINT' | 'SIGTERM' | undefined {
  if (signal?.aborted !== true) return undefined
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'
}

/**
 * Throws {@link InterruptedError} once zdd has been signalled: nothing after that point may change
 * Marathon. `when` completes the sentence, e.g. "before killing 2 tasks of /app". Every step checks
 * "already done?" first, so `--resume` continues from whatever state the signal left.
 */
export function stopIfInterrupted(signal: AbortSignal | undefined, when: string, cause?: unknown): void {
  const sig = stopSignal(signal)
  if (sig === undefined) return
  const message = `Interrupted by ${sig} ${when}; Marathon is left as it is: run the same command with --resume to continue`
  throw new InterruptedError(message, sig, cause === undefined ? {} : {cause})
}
