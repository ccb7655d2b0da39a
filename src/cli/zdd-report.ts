/**
 * Renderers of zdd events for people and CI: plain timestamped lines (no terminal: Jenkins) and
 * NDJSON (`--output ndjson`). The listr2 renderer for terminals is in zdd-listr.ts.
 */
import {describeStep} from '../zdd/dry-run.js'
import type {Reporter, ZddEvent, ZddResult} from '../zdd/events.js'

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

function pyString(s: string): string {
  // ensure_ascii: everything outside space..~ is \uXXXX (per UTF-16 unit, as Python does).
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function pyPretty(value: unknown, indent: string): string {
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + pyPretty(v, inner)).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    // Keys sorted here, not by building a sorted object: JS would list integer-like keys first.
    const keys = Object.keys(value).sort()
    const fields = keys.map((k) => `${inner}${pyString(k)}: ${pyPretty((value as Record<string, unknown>)[k], inner)}`)
    return keys.length === 0 ? '{}' : `{\n${fields.join(',\n')}\n${indent}}`
  }
  if (typeof value === 'string') return pyString(value)
  return value === undefined ? 'null' : JSON.stringify(value)
}

/**
 * The final app definition as zdd.py writes it to stdout: `json.dumps(app, sort_keys=True,
 * indent=2)` (ordinal key order, `,`/`: ` separators, non-ASCII escaped). Floats written as
 * `1.0` in the file come back as `1` (JSON.parse does not keep the difference).
 */
export function zddPyJson(app: unknown): string {
  return pyPretty(app, '')
}

/**
 * No terminal (Jenkins): one plain line per state change, stamped with the injected clock's time,
 * no ANSI codes, on `log` (stderr); `out` (stdout) gets only the final app definition, as zdd.py
 * wrote it, so a script capturing stdout reads pure JSON. Tests may pass one writer for both.
 */
export class PlainReporter implements Reporter {
  constructor(
    private readonly log: Write,
    private readonly out: Write = log,
  ) {}

  private line(time: number, text: string): void {
    const stamp = new Date(time).toISOString()
    this.log(`${text.split('\n').map((l, i) => (i === 0 ? `${stamp} ${l}` : l)).join('\n')}\n`)
  }

  event(e: ZddEvent): void {
    this.line(e.time, eventLine(e))
    if (e.type === 'appDefinition') this.out(`${zddPyJson(e.app)}\n`)
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
