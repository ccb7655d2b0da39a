/**
 * Runtime-API fast path, executor (docs/haproxy.md "Task churn without a reload"): runs a
 * {@link RuntimePlan} on the current worker and deletes removed servers once they are idle.
 * Commands go through the master CLI (`@1 …`): the default HEAD's stats socket has no `level`,
 * so HAProxy gives it `operator`, which may not add, delete or change servers ("Permission
 * denied"); the master CLI talks to the worker at admin level.
 * A removed server is put in maintenance first (no new requests), then `del server`; HAProxy
 * refuses the deletion while connections are attached, so it is retried until it succeeds or
 * the next reload replaces the worker. Every socket exchange, and every deployment that uses
 * this object, runs under one lock, so a retry never races a plan or a reload.
 */
import type {Clock, TimerHandle} from '../clock.js'
import {errorMessage} from '../errors.js'
import {addCommands, toggleCommand, type RuntimePlan, type ServerLine} from './runtime-diff.js'
import {workerCommand} from './master.js'

/** Outcome of {@link RuntimeServers.apply}. */
export interface ApplyOutcome {
  readonly ok: boolean
  /** Commands sent (successful or not). */
  readonly commands: number
  /** The first refused command and HAProxy's answer. */
  readonly error?: string
  /** Removed servers still attached to connections (left in maintenance). */
  readonly draining: number
}

/** Options of {@link RuntimeServers}. */
export interface RuntimeServersOptions {
  /** The master CLI socket (`-S`). */
  readonly masterSocket: string
  readonly clock: Clock
  /** First retry of a refused deletion (default 250 ms); the delay doubles up to 5 s. */
  readonly retryMs?: number
  /** Give up retrying after this many attempts; the next reload removes the server (default 125, about 10 min). */
  readonly maxRetries?: number
  /** Told about each deletion done by a retry, and about retries given up. */
  readonly onNote?: (msg: string, fields: Record<string, unknown>) => void
}

/** Successful answers: `add server` and `del server` say so, the other commands answer nothing. */
function accepted(command: string, answer: string): boolean {
  if (command.startsWith('add server ')) return answer.includes('New server registered')
  if (command.startsWith('del server ')) return answer.includes('Server deleted')
  return answer.trim() === ''
}

function sameLine(a: ServerLine, b: ServerLine): boolean {
  return a.address === b.address && a.disabled === b.disabled && a.keywords.join(' ') === b.keywords.join(' ')
}

/** Dynamic servers of the running worker, driven through the master CLI. */
export class RuntimeServers {
  private readonly opts: RuntimeServersOptions
  private tail: Promise<unknown> = Promise.resolve()
  /** `backend/server` waiting for its connections to end before `del server`. */
  private readonly pending = new Map<string, {readonly line: ServerLine; attempts: number}>()
  private timer: TimerHandle | undefined
  /** Retry rounds since the pending set was last empty: long-lived connections back off. */
  private rounds = 0
  private stopped = false

  constructor(opts: RuntimeServersOptions) {
    this.opts = opts
  }

  /** Runs `fn` alone: no other deployment, plan or deletion retry runs meanwhile. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn)
    this.tail = next.catch(() => undefined)
    return next
  }

  /** Servers removed from the file but still in the running worker (in maintenance). */
  get draining(): number {
    return this.pending.size
  }

  /** Call under {@link exclusive}: applies `plan`; stops at the first refused command. */
  async apply(plan: RuntimePlan): Promise<ApplyOutcome> {
    let commands = 0
    const send = async (command: string): Promise<string | undefined> => {
      commands++
      try {
        const answer = await workerCommand(this.opts.masterSocket, command, {clock: this.opts.clock, timeoutMs: 2000})
        return accepted(command, answer) ? undefined : `${command}: ${answer.trim() || 'no answer'}`
      } catch (err) {
        return `${command}: ${errorMessage(err)}`
      }
    }
    const fail = (error: string): ApplyOutcome => ({ok: false, commands, error, draining: this.pending.size})
    for (const s of plan.remove) {
      const key = `${s.backend}/${s.name}`
      const err = await send(`set server ${key} state maint`)
      if (err !== undefined) return fail(err)
      // Refused while connections are attached: the server stays in maintenance and is retried.
      if ((await send(`del server ${key}`)) !== undefined) this.pending.set(key, {line: s, attempts: 0})
    }
    for (const s of plan.toggle) {
      const err = await send(toggleCommand(s))
      if (err !== undefined) return fail(err)
    }
    for (const s of plan.add) {
      const key = `${s.backend}/${s.name}`
      const draining = this.pending.get(key)
      // Marathon reuses ports: a new task may come back as a server that is still draining.
      // The same line brings it back into service; any other line needs a reload.
      if (draining !== undefined && !sameLine(draining.line, s)) return fail(`server ${key} is still draining`)
      this.pending.delete(key)
      const commands = draining === undefined ? addCommands(s) : addCommands(s).slice(1)
      for (const command of commands) {
        const err = await send(command)
        if (err !== undefined) return fail(err)
      }
    }
    this.arm()
    return {ok: true, commands, draining: this.pending.size}
  }

  /** Call under {@link exclusive} before a reload: the new worker has none of the draining servers. */
  reloaded(): void {
    this.pending.clear()
    this.rounds = 0
    this.timer?.cancel()
    this.timer = undefined
  }

  /** Cancels the retries and waits for whatever runs under the lock. */
  async stop(): Promise<void> {
    this.stopped = true
    this.reloaded()
    await this.tail
  }

  private arm(): void {
    if (this.pending.size === 0) this.rounds = 0
    if (this.timer !== undefined || this.pending.size === 0 || this.stopped) return
    const delay = Math.min((this.opts.retryMs ?? 250) * 2 ** this.rounds++, 5000)
    this.timer = this.opts.clock.timer(delay, () => {
      this.timer = undefined
      void this.exclusive(() => this.retryDeletes()).finally(() => this.arm())
    })
  }

  private async retryDeletes(): Promise<void> {
    const max = this.opts.maxRetries ?? 125
    for (const [key, entry] of [...this.pending]) {
      if (this.stopped || !this.pending.has(key)) return
      let answer: string
      try {
        answer = await workerCommand(this.opts.masterSocket, `del server ${key}`, {clock: this.opts.clock, timeoutMs: 2000})
      } catch (err) {
        answer = errorMessage(err)
      }
      if (accepted(`del server ${key}`, answer)) {
        this.pending.delete(key)
        this.opts.onNote?.('deleted a drained server from HAProxy', {server: key})
      } else if (entry.attempts + 1 >= max) {
        this.pending.delete(key)
        this.opts.onNote?.('server still has connections; it stays in maintenance until the next reload', {server: key, answer: answer.trim()})
      } else {
        entry.attempts++
      }
    }
  }
}
