/**
 * Pure parsing of the master CLI's `show proc` (HAProxy 2.6 format, verified against the
 * binary; management.txt §9.4):
 *
 *     #<PID>          <type>          <reloads>       <uptime>        <version>
 *     11686           master          3 [failed: 1]   0d00h20m45s     2.6.12-1+deb12u4
 *     # workers
 *     10477           worker          1               0d00h00m06s     2.6.12-1+deb12u4
 *     # old workers
 *     24650           worker          2               0d00h10m42s     2.6.12-1+deb12u4
 *     # programs
 *
 * For the master, `reloads` counts every reload request, failed ones included; for a worker it
 * counts the reloads it has survived, so the worker born by the last reload shows 0.
 */

/** One process line of `show proc`. */
export interface ProcEntry {
  readonly pid: number
  /** `master`, `worker`, or a program name. */
  readonly type: string
  readonly reloads: number
  readonly uptimeSec: number
  readonly version: string
}

/** The master line, with its failed-reload counter. */
export interface MasterEntry extends ProcEntry {
  readonly failedReloads: number
}

/** Parsed `show proc`. */
export interface ProcTable {
  readonly master: MasterEntry
  /** Current worker(s): normally exactly one. */
  readonly workers: readonly ProcEntry[]
  /** Workers still draining connections after a reload. */
  readonly oldWorkers: readonly ProcEntry[]
  readonly programs: readonly ProcEntry[]
}

/** Seconds of a `show proc` uptime such as `0d00h20m45s` (undefined when malformed). */
export function parseUptime(text: string): number | undefined {
  const m = /^(\d+)d(\d+)h(\d+)m(\d+)s$/.exec(text)
  if (!m) return undefined
  return Number(m[1]) * 86_400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])
}

const LINE = /^(\d+)\s+(\S+)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?\s+(\S+)\s*(.*)$/

type Section = 'workers' | 'oldWorkers' | 'programs' | 'none'

function sectionOf(header: string): Section {
  const h = header.replace(/^#\s*/, '').trim().toLowerCase()
  if (h === 'workers') return 'workers'
  if (h === 'old workers') return 'oldWorkers'
  if (h === 'programs') return 'programs'
  return 'none'
}

/** Parses `show proc`; throws a plain Error when the text has no master line. */
export function parseShowProc(text: string): ProcTable {
  let master: MasterEntry | undefined
  const lists: Record<Exclude<Section, 'none'>, ProcEntry[]> = {workers: [], oldWorkers: [], programs: []}
  let section: Section = 'none'
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#<')) continue
    if (line.startsWith('#')) {
      section = sectionOf(line)
      continue
    }
    const m = LINE.exec(line)
    if (!m) continue
    const entry: ProcEntry = {
      pid: Number(m[1]),
      type: m[2] ?? '',
      reloads: Number(m[3]),
      uptimeSec: parseUptime(m[5] ?? '') ?? 0,
      version: (m[6] ?? '').trim(),
    }
    if (entry.type === 'master' && section === 'none') master = {...entry, failedReloads: Number(m[4] ?? 0)}
    else if (section !== 'none') lists[section].push(entry)
  }
  if (master === undefined) throw new Error(`no master line in show proc output: ${JSON.stringify(text.slice(0, 200))}`)
  return {master, ...lists}
}

/** Pids of the master, current workers and old workers, in that order. */
export function procPids(table: ProcTable): number[] {
  return [table.master.pid, ...table.workers.map((w) => w.pid), ...table.oldWorkers.map((w) => w.pid)]
}

/** How a reload ended, judged from `show proc` before and after (see {@link judgeReload}). */
export type ReloadVerdict =
  | {readonly kind: 'pending'}
  | {readonly kind: 'ok'; readonly worker: number}
  | {readonly kind: 'failed'; readonly failedReloads: number}

/**
 * Compares `show proc` taken before a reload with one taken after it. The reload succeeded
 * when the master's counter advanced without the failed counter moving and a current worker
 * that did not exist before is up; it failed when the failed counter advanced (HAProxy
 * rejected the configuration and kept the old worker); otherwise it is still pending.
 */
export function judgeReload(before: ProcTable, after: ProcTable): ReloadVerdict {
  if (after.master.pid !== before.master.pid) return {kind: 'pending'}
  if (after.master.failedReloads > before.master.failedReloads) {
    return {kind: 'failed', failedReloads: after.master.failedReloads}
  }
  if (after.master.reloads <= before.master.reloads) return {kind: 'pending'}
  const known = new Set(procPids(before))
  const fresh = after.workers.find((w) => !known.has(w.pid))
  return fresh === undefined ? {kind: 'pending'} : {kind: 'ok', worker: fresh.pid}
}
