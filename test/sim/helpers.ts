/**
 * Helpers for the simulator's own tests: JSON calls, a raw SSE client that keeps the exact bytes,
 * and a bounded wait.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {get, type IncomingHttpHeaders} from 'node:http'

import {startSimulator, type Simulator, type SimulatorOptions} from '../../src/sim/simulator.js'

/** A JSON answer. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions walk arbitrary JSON
  readonly text: string
}

/** Calls the simulator and parses a JSON answer when there is one. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = {method, headers: {'content-type': 'application/json', ...headers}}
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const res = await fetch(`${base}${path}`, init)
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return {status: res.status, headers: res.headers, body: parsed, text}
}

export {until} from '../wait.js'

/** A raw event-stream connection. */
export interface RawStream {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** Every byte received so far. */
  raw(): string
  /** Parsed `data:` payloads so far. */
  events(): {eventType: string; [k: string]: unknown}[]
  /** Resolves when the server ends the connection. */
  readonly ended: Promise<void>
  close(): void
}

/** Opens `GET /v2/events` with exactly the given Accept header values. */
export function openStream(base: string, query = '', accept: string | string[] = 'text/event-stream', headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = get(`${base}/v2/events${query}`, {headers: {accept, ...headers}}, (res) => {
      let buf = ''
      let endResolve: () => void = () => {}
      const ended = new Promise<void>((r) => (endResolve = r))
      res.setEncoding('utf8')
      res.on('data', (c: string) => (buf += c))
      res.on('end', () => endResolve())
      res.on('close', () => endResolve())
      res.on('error', () => endResolve())
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => buf,
        events: () =>
          buf
            .split('\r\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => JSON.parse(l.slice(6)) as {eventType: string}),
        ended,
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
  })
}

/** Starts a simulator for one test file and registers its stop. */
export async function simulator(opts: SimulatorOptions, cleanup: (fn: () => Promise<void>) => void): Promise<Simulator> {
  const sim = await startSimulator(opts)
  cleanup(() => sim.stop())
  return sim
}

export {alive} from '../wait.js'

/** A minimal host-networking app body. */
export function hostApp(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {id, cmd: 'simulated', instances: 1, ...extra}
}

/** Pids of this process's children that run the simulator's task program (Linux /proc). */
export function childTaskPids(): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('MLB_SIM_TASK')) out.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}
