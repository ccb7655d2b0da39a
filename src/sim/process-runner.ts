/**
 * Real tasks: one small Node process per task ({@link TASK_PROGRAM}) started with
 * `process.execPath -e`, spoken to over IPC. Kills escalate from SIGTERM to SIGKILL, and
 * {@link ProcessRunner.stopAll} never leaves a process behind.
 */
import {spawn, type ChildProcess} from 'node:child_process'

import type {Clock, TimerHandle} from '../clock.js'
import {runProbe} from './prober.js'
import type {Probe, ProbeResult, TaskControl, TaskLaunch, TaskListener, TaskRunner} from './runner.js'
import {TASK_PROGRAM} from './task-program.js'

interface Live {
  readonly child: ChildProcess
  readonly launch: TaskLaunch
  killRequested: boolean
  escalation: TimerHandle | undefined
  readonly exited: Promise<void>
}

/** Options of {@link ProcessRunner}. */
export interface ProcessRunnerOptions {
  readonly clock: Clock
  /** Extra time after the kill grace period before SIGKILL (default 3000 ms). */
  readonly killTimeoutMs?: number
}

/** Runs tasks as real child processes. */
export class ProcessRunner implements TaskRunner {
  readonly real = true
  private readonly live = new Map<string, Live>()
  private readonly clock: Clock
  private readonly killTimeoutMs: number
  /** Set by stopAll: a launch timer firing afterwards must not start a process. */
  private closed = false

  constructor(opts: ProcessRunnerOptions) {
    this.clock = opts.clock
    this.killTimeoutMs = opts.killTimeoutMs ?? 3000
  }

  start(launch: TaskLaunch, listener: TaskListener): void {
    if (this.closed) {
      queueMicrotask(() => listener.exited({killed: true, code: null, signal: null, message: 'simulator stopped'}))
      return
    }
    const config = JSON.stringify({appId: launch.appId, version: launch.version, taskId: launch.taskId, bindings: launch.bindings, graceMs: launch.killGraceMs})
    const child = spawn(process.execPath, ['-e', TASK_PROGRAM], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: {PATH: process.env['PATH'] ?? '', ...launch.env, MLB_SIM_TASK: config},
    })
    let bindError = ''
    let resolveExit: () => void = () => {}
    const exited = new Promise<void>((r) => (resolveExit = r))
    const entry: Live = {child, launch, killRequested: false, escalation: undefined, exited}
    this.live.set(launch.taskId, entry)
    child.on('message', (m: {ready?: number[]; error?: string; port?: number}) => {
      if (m.ready !== undefined) listener.running()
      if (m.error !== undefined) bindError = `cannot listen on port ${m.port ?? '?'}: ${m.error}`
    })
    child.on('error', (err) => {
      bindError = err.message
    })
    child.on('exit', (code, signal) => {
      entry.escalation?.cancel()
      this.live.delete(launch.taskId)
      resolveExit()
      const message = bindError !== '' ? bindError : signal !== null ? `Command terminated with signal ${signal}` : `Command exited with status ${code ?? '?'}`
      listener.exited({killed: entry.killRequested, code, signal, message})
    })
  }

  kill(taskId: string): void {
    const entry = this.live.get(taskId)
    if (entry === undefined || entry.killRequested) return
    entry.killRequested = true
    entry.child.kill('SIGTERM')
    entry.escalation = this.clock.timer(entry.launch.killGraceMs + this.killTimeoutMs, () => entry.child.kill('SIGKILL'))
  }

  control(taskId: string, command: TaskControl): boolean {
    const entry = this.live.get(taskId)
    if (entry === undefined || !entry.child.connected) return false
    entry.child.send(command)
    return true
  }

  probe(_taskId: string, probe: Probe): Promise<ProbeResult> {
    return runProbe(probe)
  }

  pids(): number[] {
    return [...this.live.values()].map((e) => e.child.pid).filter((p): p is number => p !== undefined)
  }

  async stopAll(): Promise<void> {
    this.closed = true
    const all = [...this.live.values()]
    for (const e of all) {
      e.killRequested = true
      e.child.kill('SIGKILL')
    }
    // Bounded: SIGKILL cannot be ignored, but never hang a test on a lost exit event.
    await Promise.race([Promise.all(all.map((e) => e.exited)), new Promise((r) => setTimeout(r, 5000).unref())])
  }
}
