/**
 * Reading an app from a request body: shape check, partial-update merge, normalization,
 * validation (marathon-api §2.3–2.4, §9). Every failure is an {@link ApiError}; never a crash.
 */
import {appJson} from './app-json.js'
import {hasConflictingPortMappings, normalizeApp} from './app-normalize.js'
import {appShapeErrors} from './app-schema.js'
import type {AppDefinition} from './app-types.js'
import {validateApp} from './app-validate.js'
import {ApiError, invalidJsonShape, invalidObject, invalidJsonSyntax} from './api-error.js'

/** Parses a request body as JSON, with Marathon's 400 bodies for syntax errors and non-JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, {message: 'Please specify data in JSON format', details: 'No content to map due to end-of-input'})
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw invalidJsonSyntax(err instanceof Error ? err.message : String(err))
  }
}

/** Merges a partial update onto the stored app, the way `AppUpdate` fields replace whole values. */
function mergePartial(existing: AppDefinition, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const base: Record<string, unknown> = appJson(existing)
  // Legacy networking fields in the update replace the 1.5 fields they migrate to.
  if (body['ports'] !== undefined) delete base['portDefinitions']
  if (body['ipAddress'] !== undefined || body['container'] !== undefined) delete base['networks']
  const merged: Record<string, unknown> = {...base}
  for (const [k, v] of Object.entries(body)) if (v !== null) merged[k] = v
  if (body['container'] !== undefined && body['networks'] === undefined && body['ipAddress'] === undefined) {
    const docker = (body['container'] as Record<string, unknown> | null)?.['docker'] as Record<string, unknown> | undefined
    if (docker?.['network'] === undefined) merged['networks'] = existing.networks
  }
  return merged
}

/** Options of {@link readApp}. */
export interface ReadAppOptions {
  /** The id from the URL (PUT/PATCH); it wins over the body's id. */
  readonly pathId?: string
  /** The stored app, for a partial update. */
  readonly existing?: AppDefinition
  /** JSON pointer prefix of this app inside the body (for `PUT /v2/apps` arrays). */
  readonly at?: string
}

/** Reads one app body into a normalized, validated definition (service ports not yet assigned). */
export function readApp(body: unknown, opts: ReadAppOptions = {}): AppDefinition {
  const at = opts.at ?? ''
  const shape = appShapeErrors(body, at)
  if (shape.length > 0) throw invalidJsonShape(shape)
  const record = body as Record<string, unknown>
  if (opts.pathId === undefined && (record['id'] === undefined || record['id'] === null)) {
    throw invalidJsonShape([{path: `${at}/id`, errors: ['error.path.missing']}])
  }
  if (hasConflictingPortMappings(record)) {
    throw invalidObject([{path: `${at}/container`, errors: ['cannot specify both portMappings and docker.portMappings']}])
  }
  const merged = opts.existing === undefined ? {...record} : mergePartial(opts.existing, record)
  if (opts.pathId !== undefined) merged['id'] = opts.pathId
  const app = normalizeApp(merged)
  const {shape: enumErrors, invalid} = validateApp(app)
  const prefix = (list: typeof invalid): typeof invalid => list.map((d) => ({path: `${at}${d.path}`, errors: d.errors}))
  if (enumErrors.length > 0) throw invalidJsonShape(prefix(enumErrors))
  if (invalid.length > 0) throw invalidObject(prefix(invalid))
  return app
}
