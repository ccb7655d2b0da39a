/**
 * Bounding old HAProxy workers without `hard-stop-after` in the HEAD (issue 4; users-and-peers
 * §1 pain 2): adding the directive to the default HEAD would change marathon-lb's bytes, so mlb
 * watches `show proc` and stops an old worker that has drained for longer than the bound.
 *
 * `show proc` gives a worker's uptime since it was forked, not since it became old: a worker
 * that served for a day is "a day old" the moment a reload replaces it. The tracker therefore
 * remembers when it first saw each pid among the old workers and measures the drain from there.
 */
import type {ProcTable} from './proc.js'

/** An old worker and how long it has been draining (seconds, as seen by the tracker). */
export interface DrainingWorker {
  readonly pid: number
  readonly drainingSec: number
  /** Seconds since HAProxy forked it (`show proc` uptime). */
  readonly uptimeSec: number
}

/** What one observation found. */
export interface OldWorkerReport {
  readonly draining: readonly DrainingWorker[]
  /** Workers past the bound: to be stopped. */
  readonly overdue: readonly DrainingWorker[]
}

/** Remembers since when each old worker drains. Pure apart from the times it is given. */
export class OldWorkerTracker {
  private readonly firstSeen = new Map<number, number>()

  constructor(private readonly boundMs: number) {}

  /** Records `table` seen at monotonic time `nowMs` and reports draining and overdue workers. */
  observe(table: ProcTable, nowMs: number): OldWorkerReport {
    const alive = new Set<number>()
    const draining: DrainingWorker[] = []
    for (const w of table.oldWorkers) {
      alive.add(w.pid)
      const since = this.firstSeen.get(w.pid) ?? nowMs
      this.firstSeen.set(w.pid, since)
      draining.push({pid: w.pid, drainingSec: (nowMs - since) / 1000, uptimeSec: w.uptimeSec})
    }
    for (const pid of this.firstSeen.keys()) if (!alive.has(pid)) this.firstSeen.delete(pid)
    return {draining, overdue: draining.filter((d) => d.drainingSec * 1000 >= this.boundMs)}
  }
}
