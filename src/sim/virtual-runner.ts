/**
 * Virtual tasks (`--virtual-tasks`): records with made-up ports and no process. They "start" on
 * the next tick, end `killGraceMs` after a kill, and answer probes from their fault flags, so
 * large states (thousands of apps) cost only memory.
 */
import type {Clock} from '../clock.js'
import type {Probe, ProbeResult, TaskControl, TaskLaunch, TaskListener, TaskRunner} from './runner.js'

interface Record_ {
  readonly launch: TaskLaunch
  readonly listener: TaskListener
  mode: 'ok' | 'hang' | 'down'
  killRequested: boolean
}

/** Options of {@link VirtualRunner}. */
export interface VirtualRunnerOptions {
  readonly clock: Clock
  /** Extra time after the kill grace period before a hung task is "SIGKILLed" (default 3000 ms). */
  readonly killTimeoutMs?: number
}

/** Keeps task records only. */
export class VirtualRunner implements TaskRunner {
  readonly real = false
  private readonly tasks = new Map<string, Record_>()
  private readonly clock: Clock
  private readonly killTimeoutMs: number

  constructor(opts: VirtualRunnerOptions) {
    this.clock = opts.clock
    this.killTimeoutMs = opts.killTimeoutMs ?? 3000
  }

  start(launch: TaskLaunch, listener: TaskListener): void {
    const rec: Record_ = {launch, listener, mode: 'ok', killRequested: false}
    this.tasks.set(launch.taskId, rec)
    this.clock.timer(0, () => {
      if (this.tasks.get(launch.taskId) === rec && !rec.killRequested) listener.running()
    })
  }

  private end(taskId: string, killed: boolean, code: number | null, signal: string | null, message: string): void {
    const rec = this.tasks.get(taskId)
    if (rec === undefined) return
    this.tasks.delete(taskId)
    rec.listener.exited({killed, code, signal, message})
  }

  kill(taskId: string): void {
    const rec = this.tasks.get(taskId)
    if (rec === undefined || rec.killRequested) return
    rec.killRequested = true
    const hung = rec.mode === 'hang'
    const delay = rec.launch.killGraceMs + (hung ? this.killTimeoutMs : 0)
    this.clock.timer(delay, () => this.end(taskId, true, hung ? null : 0, hung ? 'SIGKILL' : null, hung ? 'Command terminated with signal SIGKILL' : 'Command exited with status 0'))
  }

  control(taskId: string, command: TaskControl): boolean {
    const rec = this.tasks.get(taskId)
    if (rec === undefined) return false
    if (command === 'crash') this.clock.timer(0, () => this.end(taskId, false, 70, null, 'Command exited with status 70'))
    else if (command === 'up') rec.mode = rec.mode === 'down' ? 'ok' : rec.mode
    else rec.mode = command
    return true
  }

  probe(taskId: string, probe: Probe): Promise<ProbeResult> {
    const mode = this.tasks.get(taskId)?.mode ?? 'down'
    if (mode === 'ok') {
      const body = JSON.stringify({taskId, port: probe.port})
      return Promise.resolve(probe.kind === 'http' ? {ok: true, status: 200, contentType: 'application/json', body} : {ok: true})
    }
    const cause = mode === 'hang' ? `timed out after ${probe.timeoutMs} ms` : `connect ECONNREFUSED ${probe.ip}:${probe.port}`
    return new Promise((resolve) => this.clock.timer(mode === 'hang' ? probe.timeoutMs : 0, () => resolve({ok: false, cause})))
  }

  pids(): number[] {
    return []
  }

  stopAll(): Promise<void> {
    this.tasks.clear()
    return Promise.resolve()
  }
}
