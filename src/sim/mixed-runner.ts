/**
 * Real processes for a few apps, virtual records for the rest (`realTaskApps` with
 * `virtualTasks`): a large state costs only memory while the apps a test or benchmark sends
 * traffic to still answer on real ports.
 */
import type {Probe, ProbeResult, TaskControl, TaskLaunch, TaskListener, TaskRunner} from './runner.js'

/** Delegates each task to the real or the virtual runner by its app id. */
export class MixedRunner implements TaskRunner {
  readonly real = true
  private readonly owner = new Map<string, TaskRunner>()

  constructor(
    private readonly realRunner: TaskRunner,
    private readonly virtualRunner: TaskRunner,
    private readonly isReal: (appId: string) => boolean,
  ) {}

  start(launch: TaskLaunch, listener: TaskListener): void {
    const runner = this.isReal(launch.appId) ? this.realRunner : this.virtualRunner
    this.owner.set(launch.taskId, runner)
    runner.start(launch, {
      running: () => listener.running(),
      exited: (exit) => {
        this.owner.delete(launch.taskId)
        listener.exited(exit)
      },
    })
  }

  kill(taskId: string): void {
    this.owner.get(taskId)?.kill(taskId)
  }

  control(taskId: string, command: TaskControl): boolean {
    return this.owner.get(taskId)?.control(taskId, command) ?? false
  }

  probe(taskId: string, probe: Probe): Promise<ProbeResult> {
    return (this.owner.get(taskId) ?? this.virtualRunner).probe(taskId, probe)
  }

  pids(): number[] {
    return this.realRunner.pids()
  }

  async stopAll(): Promise<void> {
    this.owner.clear()
    await Promise.all([this.realRunner.stopAll(), this.virtualRunner.stopAll()])
  }
}
