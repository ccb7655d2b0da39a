/**
 * Logging through a passed-in Logger (style rule 12). Pure modules never log: they return facts
 * (skipped apps, validation errors) and the edges log them. The command chooses the sink
 * (stderr, syslog) and the format: marathon-lb's Python logging format string, or JSON lines.
 */

/** Structured fields attached to a log line (`appId`, `reloadId`, `step`, …). */
export type LogFields = Readonly<Record<string, unknown>>

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** The logging interface every edge module takes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger
}

/** One emitted record, as sinks and tests see it. */
export interface LogRecord {
  readonly level: LogLevel
  readonly time: number
  readonly name: string
  readonly msg: string
  readonly fields: LogFields
}

const RANK: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40}
const PY_LEVEL: Record<LogLevel, string> = {debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR'}

/** marathon-lb's default `--log-format`. */
export const DEFAULT_LOG_FORMAT = '%(asctime)-15s %(name)s: %(message)s'

/**
 * Parses a marathon-lb `--log-level` value (CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET, any
 * case). Returns undefined for anything else so the caller can report `Invalid log level: X`.
 */
export function parseLogLevel(value: string): LogLevel | undefined {
  switch (value.toUpperCase()) {
    case 'CRITICAL':
    case 'ERROR':
      return 'error'
    case 'WARNING':
    case 'WARN':
      return 'warn'
    case 'INFO':
      return 'info'
    case 'DEBUG':
    case 'NOTSET':
      return 'debug'
    default:
      return undefined
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** Python logging's default asctime: `2026-11-21 05:08:39,123` (local time). */
export function pythonAsctime(ms: number): string {
  const d = new Date(ms)
  const millis = String(d.getMilliseconds()).padStart(3, '0')
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},${millis}`
}

function fieldText(fields: LogFields): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    const s = typeof v === 'string' ? v : JSON.stringify(v)
    parts.push(`${k}=${/[\s"]/.test(s) ? JSON.stringify(s) : s}`)
  }
  return parts.length > 0 ? ` ${parts.join(' ')}` : ''
}

/**
 * Renders a record with a Python `%`-style logging format (`%(asctime)s`, `%(name)s`,
 * `%(levelname)s`, `%(message)s`, with optional `-15`-like width flags). Structured fields are
 * appended to the message as `key=value`.
 */
export function formatPython(format: string, rec: LogRecord): string {
  const values: Record<string, string> = {
    asctime: pythonAsctime(rec.time),
    name: rec.name,
    levelname: PY_LEVEL[rec.level],
    message: rec.msg + fieldText(rec.fields),
    created: String(rec.time / 1000),
    process: String(process.pid),
  }
  return format.replace(/%\((\w+)\)(-?)(\d*)[sd]/g, (_m, key: string, left: string, width: string) => {
    const v = values[key] ?? ''
    const w = width === '' ? 0 : Number(width)
    return left === '-' ? v.padEnd(w) : v.padStart(w)
  })
}

/** Renders a record as one JSON line. */
export function formatJson(rec: LogRecord): string {
  return JSON.stringify({time: new Date(rec.time).toISOString(), level: rec.level, name: rec.name, msg: rec.msg, ...rec.fields})
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly name: string
  readonly level: LogLevel
  /** `json`, or a Python logging format string. */
  readonly format: string
  /** Where finished lines go (default: stderr). Several sinks may be given (stderr + syslog). */
  readonly sinks?: ReadonlyArray<(line: string, rec: LogRecord) => void>
  readonly now?: () => number
}

/** Writes a line to stderr. */
export const stderrSink = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/** A logger writing formatted lines to its sinks. */
export function createLogger(opts: LoggerOptions, bound: LogFields = {}): Logger {
  const sinks = opts.sinks ?? [stderrSink]
  const now = opts.now ?? Date.now
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[opts.level]) return
    const rec: LogRecord = {level, time: now(), name: opts.name, msg, fields: {...bound, ...fields}}
    const line = opts.format === 'json' ? formatJson(rec) : formatPython(opts.format, rec)
    for (const sink of sinks) sink(line, rec)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, {...bound, ...fields}),
  }
}

/** A logger that keeps records in memory, for tests. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[]
  private readonly bound: LogFields

  constructor(records: LogRecord[] = [], bound: LogFields = {}) {
    this.records = records
    this.bound = bound
  }

  private push(level: LogLevel, msg: string, fields?: LogFields): void {
    this.records.push({level, time: Date.now(), name: 'test', msg, fields: {...this.bound, ...fields}})
  }

  debug(msg: string, fields?: LogFields): void {
    this.push('debug', msg, fields)
  }
  info(msg: string, fields?: LogFields): void {
    this.push('info', msg, fields)
  }
  warn(msg: string, fields?: LogFields): void {
    this.push('warn', msg, fields)
  }
  error(msg: string, fields?: LogFields): void {
    this.push('error', msg, fields)
  }
  child(fields: LogFields): Logger {
    return new MemoryLogger(this.records, {...this.bound, ...fields})
  }
  /** Messages at or above `level`, for assertions. */
  messages(level: LogLevel = 'debug'): string[] {
    return this.records.filter((r) => RANK[r.level] >= RANK[level]).map((r) => r.msg)
  }
}

/** A logger that drops everything. */
export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => nullLogger,
}
