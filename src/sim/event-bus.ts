/**
 * The event bus behind `/v2/events` (marathon-api §7): every published event gets `eventType` and
 * `timestamp`, is kept in a bounded history for tests, and is handed to every subscriber.
 */
import type {Clock} from '../clock.js'
import {timestamp} from './ids.js'

/** An event as sent on the stream. */
export interface SimEvent {
  readonly eventType: string
  readonly timestamp: string
  readonly [key: string]: unknown
}

/** A subscriber callback. */
export type EventListener = (event: SimEvent) => void

/** Publish/subscribe with history. */
export class EventBus {
  private readonly listeners = new Set<EventListener>()
  private readonly log: SimEvent[] = []

  constructor(private readonly clock: Clock, private readonly historyLimit = 20_000) {}

  /** Publishes `payload` as an event of `eventType`. */
  publish(eventType: string, payload: Readonly<Record<string, unknown>>): SimEvent {
    const event: SimEvent = {...payload, eventType, timestamp: timestamp(this.clock.now())}
    this.log.push(event)
    // Trim in chunks: splicing on every publish would cost O(limit) per event.
    if (this.log.length > this.historyLimit * 1.5) this.log.splice(0, this.log.length - this.historyLimit)
    for (const l of [...this.listeners]) l(event)
    return event
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Events published so far (oldest first, bounded). */
  history(): readonly SimEvent[] {
    return this.log
  }

  /** Forgets the history (tests call it between steps). */
  clearHistory(): void {
    this.log.length = 0
  }
}
