/**
 * Health and readiness checks performed for real against each running task (marathon-api §3,
 * §6): interval, grace period (failures ignored until the first success or until it expires),
 * `maxConsecutiveFailures` (kill, then a replacement), results shown in `healthCheckResults` and
 * published as `health_status_changed_event` / `instance_health_changed_event`.
 */
import type {Clock, TimerHandle} from '../clock.js'
import {healthCheckJson} from './app-json.js'
import {portNames, type HealthCheckDef, type ReadinessCheckDef} from './app-types.js'
import type {EventBus} from './event-bus.js'
import {timestamp} from './ids.js'
import type {Probe, ProbeResult, TaskRunner} from './runner.js'
import {isHealthy, type HealthResult, type SimTask} from './state.js'
import type {HealthHooks, Timing} from './tasks.js'

/** Dependencies of {@link HealthMonitor}. */
export interface HealthMonitorDeps {
  readonly runner: TaskRunner
  readonly bus: EventBus
  readonly clock: Clock
  readonly timing: Timing
  /** Kills an instance that failed too many checks. */
  readonly kill: (task: SimTask) => void
  readonly onChange: (appId: string) => void
}

/** Address of port index `i` of a task: its host port, else its container binding. */
function addressOf(task: SimTask, index: number): {ip: string; port: number} | undefined {
  const hostPort = task.ports[index]
  if (hostPort !== undefined) return {ip: task.host, port: hostPort}
  return task.bindings.filter((b) => b.ip !== '127.0.0.1')[index] ?? task.bindings[0]
}

/** Runs the checks of every running task. */
export class HealthMonitor implements HealthHooks {
  private readonly timers = new Map<string, TimerHandle[]>()

  constructor(private readonly d: HealthMonitorDeps) {}

  private ms(seconds: number): number {
    return seconds * 1000 * this.d.timing.timeScale
  }

  private schedule(task: SimTask, delayMs: number, fn: () => Promise<void>): void {
    const list = this.timers.get(task.id)
    if (list === undefined) return
    const handle = this.d.clock.timer(delayMs, () => {
      list.splice(list.indexOf(handle), 1)
      void fn()
    })
    list.push(handle)
  }

  started(task: SimTask): void {
    this.timers.set(task.id, [])
    task.launchDef.healthChecks.forEach((hc, i) => {
      // Mesos-level checks wait `delaySeconds`; Marathon-level ones run on the next tick (§3).
      const first = hc.protocol.startsWith('MESOS_') ? this.ms(hc.delaySeconds) : 0
      this.schedule(task, first, () => this.healthCheck(task, i, hc))
    })
    task.readiness = task.launchDef.readinessChecks.map((r) => ({name: r.name, taskId: task.id, ready: false}))
    task.launchDef.readinessChecks.forEach((r, i) => this.schedule(task, 0, () => this.readinessCheck(task, i, r)))
  }

  stopped(task: SimTask): void {
    for (const t of this.timers.get(task.id) ?? []) t.cancel()
    this.timers.delete(task.id)
  }

  private probeFor(task: SimTask, hc: HealthCheckDef): Probe | undefined {
    const kind = hc.protocol.includes('HTTP') ? 'http' : 'tcp'
    const address = hc.port !== undefined ? {ip: task.host, port: hc.port} : addressOf(task, hc.portIndex ?? 0)
    if (address === undefined) return undefined
    return {kind, ...address, path: hc.path ?? '/', timeoutMs: this.ms(hc.timeoutSeconds)}
  }

  private async healthCheck(task: SimTask, index: number, hc: HealthCheckDef): Promise<void> {
    const probe = this.probeFor(task, hc)
    // COMMAND checks cannot run a shell in the task; without a port they pass while the task lives.
    const result: ProbeResult = probe === undefined ? {ok: true} : await this.d.runner.probe(task.id, probe)
    if (!this.timers.has(task.id)) return
    this.apply(task, index, hc, result)
    if (this.timers.has(task.id)) this.schedule(task, this.ms(hc.intervalSeconds), () => this.healthCheck(task, index, hc))
  }

  private apply(task: SimTask, index: number, hc: HealthCheckDef, result: ProbeResult): void {
    const now = this.d.clock.now()
    const ts = timestamp(now)
    const prev = task.health[index]
    const inGrace = prev?.firstSuccess === undefined && now < (task.startedAt ?? now) + this.ms(hc.gracePeriodSeconds)
    if (!result.ok && inGrace) return
    const next: HealthResult = result.ok
      ? {...prev, alive: true, consecutiveFailures: 0, firstSuccess: prev?.firstSuccess ?? ts, lastSuccess: ts}
      : {...prev, alive: false, consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1, lastFailure: ts, lastFailureCause: result.cause ?? 'failed'}
    const wasHealthy = isHealthy(task)
    task.health[index] = next
    task.rev += 1
    if (!result.ok) this.d.bus.publish('failed_health_check_event', {appId: task.appId, healthCheck: healthCheckJson(hc), taskId: task.instanceId})
    if ((prev?.alive ?? false) !== next.alive) {
      this.d.bus.publish('health_status_changed_event', {appId: task.appId, instanceId: task.instanceId, version: task.version, alive: next.alive})
    }
    if (wasHealthy !== isHealthy(task)) {
      this.d.bus.publish('instance_health_changed_event', {instanceId: task.instanceId, runSpecId: task.appId, healthy: isHealthy(task), runSpecVersion: task.version})
    }
    if (!result.ok && hc.maxConsecutiveFailures > 0 && next.consecutiveFailures >= hc.maxConsecutiveFailures) {
      this.d.bus.publish('unhealthy_instance_kill_event', {
        appId: task.appId, taskId: task.id, instanceId: task.instanceId, version: task.version, reason: next.lastFailureCause, host: task.host, slaveId: task.slaveId,
      })
      this.d.kill(task)
    }
    this.d.onChange(task.appId)
  }

  private async readinessCheck(task: SimTask, index: number, rc: ReadinessCheckDef): Promise<void> {
    const portIndex = portNames(task.launchDef).indexOf(rc.portName)
    const address = addressOf(task, Math.max(0, portIndex))
    if (address === undefined) return
    const res = await this.d.runner.probe(task.id, {kind: 'http', ...address, path: rc.path, timeoutMs: this.ms(rc.timeoutSeconds)})
    const entry = task.readiness[index]
    if (!this.timers.has(task.id) || entry === undefined) return
    entry.ready = res.status !== undefined && rc.httpStatusCodesForReady.includes(res.status)
    if (rc.preserveLastResponse && res.status !== undefined) entry.lastResponse = {status: res.status, contentType: res.contentType ?? '', body: res.body ?? ''}
    this.d.onChange(task.appId)
    if (!entry.ready) this.schedule(task, this.ms(rc.intervalSeconds), () => this.readinessCheck(task, index, rc))
  }
}

/** True when the task is running, healthy if it has checks, and ready if it has readiness checks. */
export function isDeploymentReady(task: SimTask): boolean {
  if (task.state !== 'TASK_RUNNING' || task.killRequested) return false
  if (task.launchDef.healthChecks.length > 0 && !isHealthy(task)) return false
  return task.readiness.every((r) => r.ready)
}
