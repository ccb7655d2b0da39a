/**
 * What a zdd run reports, as data (style rule 12: the library emits, the CLI renders). The
 * command picks a {@link Reporter}: listr2 on a terminal, plain timestamped lines without one,
 * or one JSON object per line with `--output ndjson`.
 */
import type {JsonObject, Step} from './state.js'

/** Live counts of one load balancer's servers in the group's backend. */
export interface LbCount {
  readonly url: string
  readonly serving: number
  readonly draining: number
  readonly drained: number
}

/** One thing that happened during a run. `time` is epoch ms from the injected clock. */
export type ZddEvent =
  | {readonly type: 'appDefinition'; readonly time: number; readonly app: JsonObject}
  | {readonly type: 'planned'; readonly time: number; readonly steps: readonly string[]}
  | {readonly type: 'created'; readonly time: number; readonly appId: string; readonly instances: number}
  | {readonly type: 'resuming'; readonly time: number; readonly newAppId: string; readonly oldAppId: string; readonly mode: 'resume' | 'complete-cur' | 'complete-prev' | 'swap'}
  | {readonly type: 'step'; readonly time: number; readonly step: Step}
  | {readonly type: 'progress'; readonly time: number; readonly newApp: AppCount; readonly oldApp: AppCount; readonly lbs: readonly LbCount[]}
  | {readonly type: 'hook'; readonly time: number; readonly hook: string; readonly taskIds: readonly string[]}
  | {readonly type: 'killed'; readonly time: number; readonly appId: string; readonly taskIds: readonly string[]}
  | {readonly type: 'scaled'; readonly time: number; readonly appId: string; readonly from: number; readonly to: number}
  | {readonly type: 'deleted'; readonly time: number; readonly appId: string}
  | {readonly type: 'warning'; readonly time: number; readonly message: string}

/** An event before the runner stamps its `time`. */
export type ZddEventBody = ZddEvent extends infer E ? (E extends ZddEvent ? Omit<E, 'time'> : never) : never

/** Instances and running tasks of one colour. */
export interface AppCount {
  readonly id: string
  readonly instances: number
  readonly tasks: number
}

/** How a run ended. */
export type Outcome = 'deployed' | 'first-deploy' | 'hybrid' | 'dry-run' | 'declined' | 'failed' | 'interrupted'

/** The final object of a run (the last ndjson line). */
export interface ZddResult {
  readonly type: 'result'
  readonly time: number
  readonly outcome: Outcome
  readonly exit: number
  readonly message: string
  readonly newAppId?: string
  readonly oldAppId?: string
  /** An error code (`MLB_ERR_…`) when the run failed. */
  readonly code?: string
  readonly durationMs: number
}

/** Receives a run's events and its result. */
export interface Reporter {
  event(e: ZddEvent): void
  /** Called once, last; may flush (listr2 finishes its rendering). */
  finish(result: ZddResult): Promise<void>
}

/** A reporter that keeps everything in memory (tests, and the dry-run plan). */
export class MemoryReporter implements Reporter {
  readonly events: ZddEvent[] = []
  result: ZddResult | undefined

  event(e: ZddEvent): void {
    this.events.push(e)
  }

  async finish(result: ZddResult): Promise<void> {
    this.result = result
  }
}
