/**
 * HAProxy stats CSV (`show stat`, or `/haproxy?stats;csv`) → typed rows. Pure (style rules 1, 8):
 * the socket or HTTP fetch lives elsewhere and hands the text in.
 *
 * The text may be several `show stat` outputs concatenated (one per process, or one per load
 * balancer as zdd fetches them), so the `# pxname,…` header can appear more than once. Each
 * section is parsed with its own header, which also tolerates HAProxy versions with different
 * column sets side by side (marathon-lb's zdd reused the first header for every section).
 */
import {parse} from 'csv-parse/sync'

import {HaproxyError} from '../errors.js'

/** One row of the stats CSV. Numeric fields marathon-lb reads are numbers (empty → 0). */
export interface StatRow {
  /** Proxy name: frontend, backend or listen section (`nginx_10000`). */
  readonly pxname: string
  /** Server name, or `FRONTEND` / `BACKEND` for the aggregate rows. */
  readonly svname: string
  /** `UP`, `DOWN`, `MAINT`, `OPEN`, `no check`, `UP 1/3`, … (empty when absent). */
  readonly status: string
  /** Requests queued (`qcur`). */
  readonly qcur: number
  /** Current sessions (`scur`). */
  readonly scur: number
  /** Row type: 0 frontend, 1 backend, 2 server, 3 listener; -1 when absent. */
  readonly type: number
  /** Every column of the row by header name, as text. */
  readonly fields: Readonly<Record<string, string>>
}

const HEADER_PREFIX = /^#\s*/

function toCount(value: string | undefined): number {
  if (value === undefined || value === '') return 0
  const n = Number(value)
  return Number.isFinite(n) ? n : 0
}

function toRow(fields: Record<string, string>): StatRow {
  return {
    pxname: fields['pxname'] ?? '',
    svname: fields['svname'] ?? '',
    status: fields['status'] ?? '',
    qcur: toCount(fields['qcur']),
    scur: toCount(fields['scur']),
    type: fields['type'] === undefined || fields['type'] === '' ? -1 : toCount(fields['type']),
    fields,
  }
}

function parseSection(header: string, body: string): StatRow[] {
  // The trailing comma of every line yields an empty last column name: `false` drops it.
  const columns = header
    .replace(HEADER_PREFIX, '')
    .split(',')
    .map((name) => (name === '' ? false : name))
  if (body.trim() === '') return []
  const records = parse(body, {
    columns,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
  }) as Record<string, string>[]
  return records.map(toRow)
}

/**
 * Parses stats CSV text, possibly several concatenated outputs. Throws {@link HaproxyError}
 * (code `MLB_ERR_STATS_CSV`) when non-empty text has no `# pxname,…` header, e.g. an HTML
 * error page answered instead of the CSV.
 */
export function parseHaproxyStats(text: string): StatRow[] {
  const lines = text.split(/\r?\n/)
  const rows: StatRow[] = []
  let header: string | undefined
  let body: string[] = []
  const flush = (): void => {
    if (header !== undefined) rows.push(...parseSection(header, body.join('\n')))
    body = []
  }
  for (const line of lines) {
    if (line.startsWith('#')) {
      flush()
      header = line
    } else if (header === undefined) {
      if (line.trim() !== '') throw new HaproxyError('not HAProxy stats CSV: no "# pxname,…" header line', {code: 'MLB_ERR_STATS_CSV'})
    } else {
      body.push(line)
    }
  }
  flush()
  return rows
}

/** Server rows only (neither the `FRONTEND` nor the `BACKEND` aggregate). */
export function isServerRow(row: StatRow): boolean {
  return row.svname !== 'FRONTEND' && row.svname !== 'BACKEND'
}
