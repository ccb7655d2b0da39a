/**
 * zdd's types (style rule 9): what the runner observes, what the planner decides. The planner
 * (`plan.ts`) is a pure function of {@link Observed}; the runner (`swap.ts`) executes the
 * returned {@link Step}, observes again and repeats.
 */

/** A JSON object as Marathon sends it (nulls already stripped, spec §8.2). */
export type JsonObject = Readonly<Record<string, unknown>>

/** One Marathon task, as zdd reads it. `json` is the task as Marathon sent it. */
export interface ZddTask {
  readonly id: string
  readonly host: string
  readonly ports: readonly number[]
  readonly json: JsonObject
}

/** One Marathon app, as zdd reads it. `json` is the full definition (for create and the hook). */
export interface ZddApp {
  readonly id: string
  readonly instances: number
  readonly labels: Readonly<Record<string, string>>
  readonly tasks: readonly ZddTask[]
  /** Number of Marathon deployments affecting the app (non-zero means "wait"). */
  readonly deployments: number
  readonly json: JsonObject
}

/** One server row of the deployment group's backend on one load balancer. */
export interface Listener {
  /** Index of the load balancer (in the resolved URL list) that reported the row. */
  readonly lb: number
  readonly svname: string
  readonly status: string
  readonly qcur: number
  readonly scur: number
}

/** What one poll of every load balancer saw. */
export interface LbSnapshot {
  /** Number of load balancers polled. */
  readonly count: number
  /** URLs of the load balancers that are reloading (more than 2 PIDs, or the PID call failed). */
  readonly reloading: readonly string[]
  /** Rows of the group's backend on every LB; undefined when a stats fetch failed this poll. */
  readonly listeners: readonly Listener[] | undefined
}

/** Names a task's server the way `mlb serve` (and marathon-lb) name it; undefined = unroutable. */
export type ServerNamer = (app: ZddApp, task: ZddTask) => string | undefined

/** Progress within one swap round (spec §8.3 swap loop), kept by the runner between polls. */
export interface RoundState {
  /** Monotonic ms when this round began waiting on the load balancers; undefined = not yet. */
  readonly drainWaitStartedAt: number | undefined
  /** Monotonic ms when this round first saw Marathon deploying the new app; undefined = not yet. */
  readonly deployWaitStartedAt: number | undefined
  /** Tasks were killed this round: the next decision is the scale-up of the new app. */
  readonly killed: boolean
  /** The last listener list fetched successfully this round (used when max-wait passes). */
  readonly lastListeners: readonly Listener[] | undefined
}

/** Settings the planner needs (from the command line). */
export interface PlanOptions {
  /** `--max-wait` in ms. */
  readonly maxWaitMs: number
  /** `--deploy-timeout` in ms; 0 waits for Marathon's deployment without a bound (zdd.py). */
  readonly deployTimeoutMs: number
  /** `--linear-increase` (0 = the 50 % schedule). */
  readonly linearIncrease: number
  readonly completeCur: boolean
  readonly completePrev: boolean
  readonly serverName: ServerNamer
}

/** Everything the planner decides from. */
export interface Observed {
  readonly newApp: ZddApp
  readonly oldApp: ZddApp
  /** Load balancers; undefined when not polled (new app deploying, or after a kill). */
  readonly lbs: LbSnapshot | undefined
  readonly round: RoundState
  /** Monotonic ms now. */
  readonly now: number
}

/** Why the runner waits on the load balancers. */
export type LbWait = 'reloading' | 'unavailable' | 'listeners' | 'newUp' | 'drain'

/** The next thing to do; every step says why (style rule 9). */
export type Step =
  | {readonly kind: 'waitDeployment'; readonly reason: string}
  | {readonly kind: 'waitLb'; readonly wait: LbWait; readonly reason: string}
  | {readonly kind: 'kill'; readonly taskIds: readonly string[]; readonly timedOut: boolean; readonly reason: string}
  | {readonly kind: 'scaleNew'; readonly from: number; readonly to: number; readonly reason: string}
  | {readonly kind: 'deleteOld'; readonly timedOut: boolean; readonly reason: string}
  | {readonly kind: 'keepHybrid'; readonly reason: string}
  | {readonly kind: 'nextRound'; readonly reason: string}
  | {readonly kind: 'stuck'; readonly reason: string}
  | {readonly kind: 'deployTimedOut'; readonly reason: string}

/** A fresh round. */
export const NEW_ROUND: RoundState = {drainWaitStartedAt: undefined, deployWaitStartedAt: undefined, killed: false, lastListeners: undefined}
