/**
 * One errors module for all of mlb (style rule 10): a root class with a stable `code` and the
 * process exit status the shared base command maps it to. Library code throws these and never
 * calls `process.exit`; messages are written for a user and never carry credentials.
 */

/** Root of every expected mlb failure. `exit` is the status the CLI ends with. */
export class MlbError extends Error {
  readonly code: string
  readonly exit: number

  constructor(message: string, options: {code?: string; exit?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = options.code ?? 'MLB_ERR'
    this.exit = options.exit ?? 1
  }
}

/** A flag or argument is wrong (argparse-style usage error, exit 2 as in marathon-lb). */
export class UsageError extends MlbError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_USAGE', exit: 2})
  }
}

/** Input mlb refuses as a whole (e.g. a custom HAPROXY_HEAD with `daemon`): exit 1, no output. */
export class RefusedInputError extends MlbError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_REFUSED', exit: 1})
  }
}

/** Marathon could not be reached or answered with an error or garbage. */
export class MarathonError extends MlbError {
  /** The Marathon base URL that failed (never with credentials in it). */
  readonly host: string | undefined
  /** HTTP status, when Marathon answered. */
  readonly status: number | undefined

  constructor(message: string, options: {host?: string; status?: number; cause?: unknown; code?: string} = {}) {
    super(message, {cause: options.cause, code: options.code ?? 'MLB_ERR_MARATHON', exit: 1})
    this.host = options.host
    this.status = options.status
  }
}

/** Credentials are missing, malformed or rejected (exit 1, as marathon-lb's credential check). */
export class AuthError extends MlbError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_AUTH', exit: 1})
  }
}

/** HAProxy refused a configuration or could not be driven. */
export class HaproxyError extends MlbError {
  constructor(message: string, options: {cause?: unknown; code?: string} = {}) {
    super(message, {cause: options.cause, code: options.code ?? 'MLB_ERR_HAPROXY', exit: 1})
  }
}

/** zdd failures, with zdd.py's documented exit statuses (spec §8.1, style rule 10). */
export class ZddError extends MlbError {}
/** zdd exit 3. */
export class InvalidArgError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_INVALID_ARG', exit: 3})
  }
}
/** zdd exit 4. */
export class MissingFieldError extends ZddError {
  readonly field: string | undefined
  constructor(message: string, options: {field?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause, code: 'MLB_ERR_ZDD_MISSING_FIELD', exit: 4})
    this.field = options.field
  }
}
/** zdd exit 5. */
export class MarathonLbEndpointError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_LB_ENDPOINT', exit: 5})
  }
}
/** zdd exit 6. */
export class MarathonEndpointError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT', exit: 6})
  }
}
/** zdd exit 7. */
export class AppCreateError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_APP_CREATE', exit: 7})
  }
}
/** zdd exit 8 (zdd.py exits 2 here by a bug, spec §10.37; mlb keeps the documented 8). */
export class AppDeleteError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_APP_DELETE', exit: 8})
  }
}
/** zdd exit 9. */
export class AppScaleError extends ZddError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super(message, {...options, code: 'MLB_ERR_ZDD_APP_SCALE', exit: 9})
  }
}

/** Message of any thrown value, for log lines. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
