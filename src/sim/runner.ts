/**
 * The task runner seam (style.md design hint): the state machine asks a runner to start, kill and
 * probe tasks; {@link ProcessRunner} runs real processes, {@link VirtualRunner} keeps records only.
 */

/** An address a task listens on. */
export interface Binding {
  readonly ip: string
  readonly port: number
}

/** What a runner needs to start one task. */
export interface TaskLaunch {
  readonly taskId: string
  readonly appId: string
  readonly version: string
  readonly bindings: readonly Binding[]
  /** `taskKillGracePeriodSeconds` in ms (after the time scale). */
  readonly killGraceMs: number
  /** Environment Mesos would give the task (`HOST`, `PORT0`, …). */
  readonly env: Readonly<Record<string, string>>
}

/** How a task process ended. */
export interface TaskExit {
  /** True when the runner was asked to kill it. */
  readonly killed: boolean
  readonly code: number | null
  readonly signal: string | null
  readonly message: string
}

/** Callbacks from a runner about one task. */
export interface TaskListener {
  /** The task listens on all its bindings. */
  running(): void
  /** The task is gone. */
  exited(exit: TaskExit): void
}

/** A health or readiness probe against one address. */
export interface Probe {
  readonly kind: 'http' | 'tcp'
  readonly ip: string
  readonly port: number
  readonly path: string
  readonly timeoutMs: number
}

/** Outcome of a probe: `status` for HTTP answers, `cause` on failure. */
export interface ProbeResult {
  readonly ok: boolean
  readonly status?: number
  readonly contentType?: string
  readonly body?: string
  readonly cause?: string
}

/** Control commands for a running task (fault injection). */
export type TaskControl = 'hang' | 'crash' | 'down' | 'up'

/** Starts, kills, probes and controls tasks. */
export interface TaskRunner {
  /** True when tasks are real processes listening on real ports. */
  readonly real: boolean
  start(launch: TaskLaunch, listener: TaskListener): void
  /** SIGTERM, then SIGKILL if still alive `killGraceMs + killTimeoutMs` later. */
  kill(taskId: string): void
  control(taskId: string, command: TaskControl): boolean
  probe(taskId: string, probe: Probe): Promise<ProbeResult>
  /** Pids of live task processes (empty for virtual tasks). */
  pids(): number[]
  /** Ends every task at once and resolves when all are gone. */
  stopAll(): Promise<void>
}
