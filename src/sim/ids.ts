/**
 * Marathon identifiers and timestamps as the simulator writes them (marathon-api §1).
 */
import {randomUUID} from 'node:crypto'

/** One path segment of an app id (`state/PathId.scala`). */
export const ID_SEGMENT_PATTERN = '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'
const SEGMENT = new RegExp(`^(?:${ID_SEGMENT_PATTERN.slice(1, -1)})$`)

/** Makes an id absolute (`nginx` → `/nginx`) and drops empty segments and a trailing slash. */
export function absoluteId(id: string): string {
  const parts = id.split('/').filter((p) => p !== '')
  return `/${parts.join('/')}`
}

/** True when every segment of an absolute id matches Marathon's pattern. */
export function isValidAppId(id: string): boolean {
  const parts = id.split('/').filter((p) => p !== '')
  return parts.length > 0 && parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..')
}

/** `PathId.safePath`: `/tools/docker/registry` → `tools_docker_registry`. */
export function safeId(appId: string): string {
  return appId.replace(/^\//, '').replace(/\//g, '_')
}

/** Task id style: `legacy` is `<safeId>.<uuid>` (≤1.7), `instance` is 1.8+ (`…instance-<uuid>._app.<n>`). */
export type TaskIdStyle = 'legacy' | 'instance'

/** Task style of a Marathon version string: 1.8 and later use instance-style task ids. */
export function taskIdStyleFor(version: string): TaskIdStyle {
  const [maj, min] = version.split('.').map((n) => Number.parseInt(n, 10))
  return (maj ?? 1) > 1 || (min ?? 0) >= 8 ? 'instance' : 'legacy'
}

/** Ids of one task incarnation and the instance that owns it (marathon-api §1 "Ids"). */
export interface TaskIds {
  readonly taskId: string
  readonly instanceId: string
}

/** A new instance with its first task (incarnation 1). */
export function newTaskIds(appId: string, style: TaskIdStyle, uuid: string = randomUUID()): TaskIds {
  return taskIdsFor(appId, style, uuid, 1)
}

/** Ids of incarnation `n` of the instance with `uuid`. Legacy ids get a fresh uuid per relaunch. */
export function taskIdsFor(appId: string, style: TaskIdStyle, uuid: string, incarnation: number): TaskIds {
  const safe = safeId(appId)
  if (style === 'instance') {
    return {taskId: `${safe}.instance-${uuid}._app.${incarnation}`, instanceId: `${safe}.instance-${uuid}`}
  }
  return {taskId: `${safe}.${uuid}`, instanceId: `${safe}.marathon-${uuid}`}
}

/** Loose shape check of a task id, for `POST /v2/tasks/delete` (400 "Invalid task id"). */
export function isParsableTaskId(id: string): boolean {
  return /^[^.\s]+\.(instance-|marathon-)?[0-9a-zA-Z-]+(\._app\.\d+)?$/.test(id)
}

/** Timestamp in Marathon's format: UTC with milliseconds (`2017-07-19T17:34:41.967Z`). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString()
}

/**
 * A strictly increasing timestamp source: Marathon versions are unique per change, and tests make
 * several changes within one millisecond.
 */
export class VersionStamps {
  private last = 0
  /** A timestamp ≥ `now` and greater than every one returned before. */
  next(now: number): string {
    this.last = Math.max(now, this.last + 1)
    return timestamp(this.last)
  }
}
