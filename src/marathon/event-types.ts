/**
 * Marathon event-bus payloads as mlb sees them: the subscription (event types and query
 * string), a defensive parser from SSE `data:` text to typed events, and the predicate that
 * decides whether an event can change routing. Pure: no I/O, no logging (style rule 1).
 */

/**
 * The event types mlb subscribes to: exactly marathon-lb's `relevant_events`
 * (marathon-api §7.4, behaviour §6.2 step 2). Other types never change what marathon-lb
 * routes: task kills and app deletions always come with a `status_update_event`, and
 * `instance_health_changed_event` (1.4+) duplicates `health_status_changed_event`, which every
 * version still sends. Subscribing to more would only add traffic (users-and-peers pain 9).
 */
export const SUBSCRIBED_EVENT_TYPES: readonly string[] = ['api_post_event', 'health_status_changed_event', 'status_update_event']

/**
 * Task states whose arrival cannot change routing: tasks in them were never routed before and
 * are not routed now (behaviour §5.3 skips both). Every other state, including unknown future
 * ones, triggers a resync (RUNNING adds a server; KILLING and terminal states remove one,
 * users-and-peers pain 7).
 */
const NON_ROUTING_TASK_STATES: ReadonlySet<string> = new Set(['TASK_STAGING', 'TASK_STARTING'])

/** One Marathon event, reduced to the fields mlb uses. */
export interface MarathonEvent {
  /** `eventType` from the JSON (or the SSE `event:` name when the JSON lacks it). */
  readonly eventType: string
  /** App id (`appId`, or `appDefinition.id` for `api_post_event`). */
  readonly appId?: string
  /** Task id of a `status_update_event` (or ≤1.3 health event). */
  readonly taskId?: string
  /** Instance id of a health event (1.4+). */
  readonly instanceId?: string
  /** Mesos task state of a `status_update_event`. */
  readonly taskStatus?: string
  /** `alive` of a `health_status_changed_event`. */
  readonly alive?: boolean
  /** Marathon's timestamp string, as sent. */
  readonly timestamp?: string
}

/** Result of parsing one SSE message: the events found and a reason for each part dropped. */
export interface ParsedEvents {
  readonly events: readonly MarathonEvent[]
  readonly errors: readonly string[]
}

/**
 * The `/v2/events` path and query marathon-lb requests (behaviour §6.2 step 2):
 * `plan-format=light` first, then one `event_type` per type, urlencoded.
 */
export function eventsPath(types: readonly string[] = SUBSCRIBED_EVENT_TYPES): string {
  const q = new URLSearchParams([['plan-format', 'light'], ...types.map((t): [string, string] => ['event_type', t])])
  return `/v2/events?${q.toString()}`
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Copies the fields mlb uses out of an untrusted JSON object. */
function toEvent(obj: Record<string, unknown>, sseName: string | undefined): MarathonEvent | string {
  const eventType = str(obj['eventType']) ?? sseName
  if (eventType === undefined) return 'no eventType'
  const def = obj['appDefinition']
  const defId = typeof def === 'object' && def !== null ? str((def as Record<string, unknown>)['id']) : undefined
  const fields: Record<string, unknown> = {
    eventType,
    appId: str(obj['appId']) ?? defId,
    taskId: str(obj['taskId']),
    instanceId: str(obj['instanceId']),
    taskStatus: str(obj['taskStatus']),
    alive: typeof obj['alive'] === 'boolean' ? obj['alive'] : undefined,
    timestamp: str(obj['timestamp']),
  }
  // exactOptionalPropertyTypes: absent fields are left out, never set to undefined.
  for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k]
  return fields as unknown as MarathonEvent
}

/**
 * Parses the data of one SSE message. Marathon sends one line of JSON, but marathon-lb splits
 * the data on line breaks and parses each piece (behaviour §6.2 step 4), so this does too.
 * Blank pieces are skipped silently (the keep-alive); garbage becomes an error string.
 */
export function parseEventData(data: string, sseName?: string): ParsedEvents {
  const events: MarathonEvent[] = []
  const errors: string[] = []
  const name = sseName === undefined || sseName === '' || sseName === 'message' ? undefined : sseName
  for (const piece of data.split(/\r?\n|\r/)) {
    if (piece.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(piece)
    } catch {
      errors.push(`not JSON: ${piece.length > 80 ? `${piece.slice(0, 80)}…` : piece}`)
      continue
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push('not a JSON object')
      continue
    }
    const ev = toEvent(value as Record<string, unknown>, name)
    if (typeof ev === 'string') errors.push(ev)
    else events.push(ev)
  }
  return {events, errors}
}

/**
 * Whether an event can change the generated config: one of the subscribed types, and for
 * `status_update_event` a state other than STAGING/STARTING. marathon-lb resyncs on all three
 * types; skipping the two pre-running states only drops work that cannot change the output
 * (behaviour §5.3 ignores tasks in them).
 */
export function isRoutingEvent(event: MarathonEvent): boolean {
  if (!SUBSCRIBED_EVENT_TYPES.includes(event.eventType)) return false
  if (event.eventType !== 'status_update_event') return true
  return event.taskStatus === undefined || !NON_ROUTING_TASK_STATES.has(event.taskStatus)
}
