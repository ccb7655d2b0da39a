/**
 * Leadership among simulator instances sharing one {@link Engine} (marathon-api §2.11, §7.1):
 * one leader at a time; a standby proxies REST calls to it and redirects `/v2/events`; without a
 * leader a standby answers 502. `DELETE /v2/leader` passes leadership on.
 */
import type {Clock} from '../clock.js'
import type {Engine} from './engine.js'

/** A simulator instance as the cluster sees it. */
export interface Member {
  /** `host:port`, as `/v2/leader` reports it. */
  readonly address: string
  /** Base URL with the base path, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** Called when this member stops being leader (it closes its event streams). */
  leadershipLost(): void
}

/** The shared state and the current leader. */
export class Cluster {
  private readonly members: Member[] = []
  private current: Member | undefined

  constructor(readonly engine: Engine, private readonly clock: Clock, private readonly reelectMs: number) {}

  /** The leader, if any. */
  get leader(): Member | undefined {
    return this.current
  }

  /** Adds a member; the first one becomes leader. */
  join(m: Member): void {
    this.members.push(m)
    if (this.current === undefined && this.members.length === 1) this.current = m
  }

  /** Removes a member (on stop); leadership passes to another one if it led. */
  leave(m: Member): void {
    const i = this.members.indexOf(m)
    if (i >= 0) this.members.splice(i, 1)
    if (this.current === m) this.current = this.members[0]
  }

  /** Number of live members. */
  get size(): number {
    return this.members.length
  }

  /** Makes `m` leader (undefined: no leader at all). */
  setLeader(m: Member | undefined): void {
    const old = this.current
    this.current = m
    if (old !== undefined && old !== m) old.leadershipLost()
  }

  /** `m` abdicates: another member leads; alone, it is re-elected after `reelectMs`. */
  abdicate(m: Member): void {
    if (this.current !== m) return
    const next = this.members.find((x) => x !== m)
    this.setLeader(next)
    if (next === undefined) {
      this.clock.timer(this.reelectMs, () => {
        if (this.current === undefined && this.members.includes(m)) this.setLeader(m)
      })
    }
  }
}
