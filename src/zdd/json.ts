/**
 * JSON helpers with zdd.py's exact shapes: nulls stripped from everything read (spec §8.2,
 * `common.cleanup_json`, shared with serve), Python `json.dumps` text for the pre-kill hook arguments, and the
 * sorted, 2-space "Final app definition" printed before a deploy.
 */

/** Nulls stripped from everything read, with the same code serve uses (spec §5.1). */
export {stripNulls} from '../model/apps.js'

function pyString(s: string): string {
  // json.dumps escapes every non-ASCII code unit as \uXXXX (ensure_ascii=True).
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Python `json.dumps(value)` text: `", "` and `": "` separators, ASCII only, key order kept. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return pyString(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (typeof value === 'object') {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pyString(k)}: ${pythonJson(v)}`)
    return `{${parts.join(', ')}}`
  }
  return 'null'
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // Ordinal key order, as Python's sort_keys (style rule 1: never rely on input key order).
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k])
    return out
  }
  return value
}

/** The app definition as zdd.py prints it: keys sorted, 2-space indent. */
export function prettyAppJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2)
}
