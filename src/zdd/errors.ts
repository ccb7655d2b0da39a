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
  constructor(message: string, options: {status?: number; cause?: unknown} = {}) {
    super(message, {cause: options.cause, code: 'MLB_ERR_ZDD_HOOK', exit: 2})
    this.status = options.status
  }
}

/** The run stopped on SIGINT (exit 130) or SIGTERM (exit 143) between two steps. */
export class InterruptedError extends ZddError {
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM') {
    super(message, {code: 'MLB_ERR_ZDD_INTERRUPTED', exit: signal === 'SIGINT' ? 130 : 143})
  }
}
