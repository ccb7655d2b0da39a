/**
 * Errors the simulated REST API answers with, in Marathon's body format (marathon-api §9).
 */

/** One `details` entry of a 422 body. */
export interface ErrorDetail {
  readonly path: string
  readonly errors: readonly string[]
}

/** An HTTP error answer: status and JSON body. Thrown by handlers, rendered by the server. */
export class ApiError extends Error {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, body: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>> = {}) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.body = body
    this.headers = headers
  }
}

/** 404 for an unknown app (`App '/x' does not exist`). */
export function appNotFound(appId: string): ApiError {
  return new ApiError(404, {message: `App '${appId}' does not exist`})
}

/** 422 `Object is not valid` with the offending paths (`Validation.failureWrites`). */
export function invalidObject(details: readonly ErrorDetail[]): ApiError {
  return new ApiError(422, {message: 'Object is not valid', details})
}

/** 422 `Invalid JSON` for a body of the wrong shape (play-json `JsResultException`). */
export function invalidJsonShape(details: readonly ErrorDetail[]): ApiError {
  return new ApiError(422, {message: 'Invalid JSON', details})
}

/** 400 `Invalid JSON` for a syntax error; `details` is a string here (marathon-api §9). */
export function invalidJsonSyntax(parserMessage: string): ApiError {
  return new ApiError(400, {message: 'Invalid JSON', details: parserMessage})
}

/** 409 `App is locked by one or more deployments` (the `<DEPLOYMENT_ID>` text is literal, §2.4). */
export function appLocked(deploymentIds: readonly string[]): ApiError {
  return new ApiError(409, {
    message:
      "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
    deployments: deploymentIds.map((id) => ({id})),
  })
}

/** 400 with a plain message (`BadRequestException`). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, {message})
}
