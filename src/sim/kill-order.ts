/**
 * Which tasks a scale-down kills first (marathon-api §6, `ScalingProposition.sortByConditionAndDate`):
 * explicit ids first, then Unreachable → Staging (latest staged first) → Starting → Running, and
 * among running tasks `killSelection` (YOUNGEST_FIRST = most recently started first).
 */
import type {KillSelection} from './app-types.js'
import type {SimTask} from './state.js'

const RANK: Readonly<Record<string, number>> = {TASK_UNREACHABLE: 0, TASK_STAGING: 1, TASK_STARTING: 2, TASK_RUNNING: 3}

function compare(a: SimTask, b: SimTask, selection: KillSelection): number {
  const ra = RANK[a.state] ?? 4
  const rb = RANK[b.state] ?? 4
  if (ra !== rb) return ra - rb
  if (a.state === 'TASK_STAGING') return b.stagedAt - a.stagedAt
  const sa = a.startedAt ?? a.stagedAt
  const sb = b.startedAt ?? b.stagedAt
  return selection === 'YOUNGEST_FIRST' ? sb - sa : sa - sb
}

/** Picks `count` victims among `candidates`, taking the tasks in `first` before any other. */
export function selectVictims(candidates: readonly SimTask[], count: number, selection: KillSelection, first: ReadonlySet<string> = new Set()): SimTask[] {
  if (count <= 0) return []
  const sorted = [...candidates].sort((a, b) => {
    const fa = first.has(a.id) ? 0 : 1
    const fb = first.has(b.id) ? 0 : 1
    return fa !== fb ? fa - fb : compare(a, b, selection)
  })
  return sorted.slice(0, count)
}
