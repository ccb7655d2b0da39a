/**
 * `HAPROXY_DEPLOYMENT_STARTED_AT` timestamps (spec §3.1, §5.15). zdd writes local ISO 8601
 * without a zone; marathon-lb parses anything dateutil accepts and crashes when it compares a
 * zone-aware with a zone-less value. mlb accepts ISO 8601 (date, optional time, fraction and
 * zone) and compares zone-less values as UTC, so a mix never aborts generation.
 */

const ISO = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i

/** Microseconds since the epoch, or undefined when the text is not an ISO 8601 timestamp. */
export function parseDeploymentTime(text: string): number | undefined {
  const m = ISO.exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  if (new Date(ms).getUTCDate() !== d) return undefined
  const micros = Number(((m[7] ?? '') + '000000').slice(0, 6))
  return ms * 1000 + micros - zoneOffsetMinutes(m[8]) * 60_000_000
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')
  return zone.startsWith('-') ? -minutes : minutes
}

/** The "missing" date of marathon-lb (Python's datetime.min): older than anything else. */
export const EARLIEST = Number.NEGATIVE_INFINITY
