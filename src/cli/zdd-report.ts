/**
 * Renderers of zdd events for people and CI: plain timestamped lines (no terminal: Jenkins) and
 * NDJSON (`--output ndjson`). The listr2 renderer for terminals is in zdd-listr.ts.
 */
import {describeStep} from '../zdd/dry-run.js'
import type {Reporter, ZddEvent, ZddResult} from '../zdd/events.js'
import {prettyAppJson} from '../zdd/json.js'

/** Where a reporter writes (stdout, or a buffer in tests). */
export type Write = (text: string) => void

/** One human sentence for an event (shared by the plain and listr2 renderers). */
export function eventLine(e: ZddEvent): string {
  switch (e.type) {
    case 'appDefinition':
      return `Final app definition for ${String(e.app['id'])}`
    case 'planned':
      return `Planned steps:\n${e.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`
    case 'created':
      return `Deploy: created ${e.appId} with ${e.instances} instance(s)`
    case 'resuming':
      return e.mode === 'swap' ? `Swap: ${e.newAppId} replaces ${e.oldAppId}` : `${e.mode}: ${e.newAppId} replaces ${e.oldAppId}`
    case 'step':
      return describeStep(e.step)
    case 'progress':
      return progressLine(e)
    case 'hook':
      return `Hook: running ${e.hook} before killing ${e.taskIds.length} task(s)`
    case 'killed':
      return `Kill: ${e.taskIds.length} task(s) of ${e.appId} killed with scale=true (${e.taskIds.join(', ')})`
    case 'scaled':
      return `Scale: ${e.appId} ${e.from} → ${e.to}`
    case 'deleted':
      return `Delete: ${e.appId} deleted`
    case 'warning':
      return `WARNING: ${e.message}`
  }
}

/** Live counts: new up, old draining, per load balancer. */
export function progressLine(e: Extract<ZddEvent, {type: 'progress'}>): string {
  const lbs = e.lbs.map((l) => `${l.url}: ${l.serving} up, ${l.draining} draining (${l.drained} drained)`).join('; ')
  return `new ${e.newApp.id} ${e.newApp.tasks}/${e.newApp.instances}, old ${e.oldApp.id} ${e.oldApp.tasks}/${e.oldApp.instances}${lbs === '' ? '' : ` | ${lbs}`}`
}

/** The last line of a text run. */
export function resultLine(r: ZddResult): string {
  return `${r.exit === 0 ? 'Done' : 'Stopped'}: ${r.message} (${r.outcome}, exit ${r.exit}, ${(r.durationMs / 1000).toFixed(1)}s)`
}

/** One plain line per state change, each stamped with the injected clock's time; no ANSI codes. */
export class PlainReporter implements Reporter {
  constructor(private readonly write: Write) {}

  private line(time: number, text: string): void {
    const stamp = new Date(time).toISOString()
    this.write(`${text.split('\n').map((l, i) => (i === 0 ? `${stamp} ${l}` : l)).join('\n')}\n`)
  }

  event(e: ZddEvent): void {
    this.line(e.time, eventLine(e))
    // zdd.py writes the final app definition to stdout, sorted and indented, for scripts to read.
    if (e.type === 'appDefinition') this.write(`${prettyAppJson(e.app)}\n`)
  }

  async finish(r: ZddResult): Promise<void> {
    this.line(r.time, resultLine(r))
  }
}

/** One JSON object per line: every event, then the result object. */
export class NdjsonReporter implements Reporter {
  constructor(private readonly write: Write) {}

  event(e: ZddEvent): void {
    this.write(`${JSON.stringify({...e, time: new Date(e.time).toISOString()})}\n`)
  }

  async finish(r: ZddResult): Promise<void> {
    this.write(`${JSON.stringify({...r, time: new Date(r.time).toISOString()})}\n`)
  }
}
