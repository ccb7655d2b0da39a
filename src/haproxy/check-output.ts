/**
 * Pure parsing of `haproxy -c` output (style rules 6 and 8: the process runner in validate.ts
 * returns raw text, this module turns it into entries). Like client-native's
 * parseHAProxyCheckError, but keeping every ALERT and WARNING rather than only the first error.
 */

/** One diagnostic line of `haproxy -c`. */
export interface CheckMessage {
  readonly severity: 'alert' | 'warning'
  /** Line number in the checked file, when HAProxy names one. */
  readonly line?: number
  /** File HAProxy named with the line (the checked temp file, or an included one). */
  readonly file?: string
  /** Proxy (frontend/backend/listen) the message is about, when HAProxy names one. */
  readonly proxy?: string
  /** The message without the `[ALERT] (pid) : config :` prefix and without the location. */
  readonly message: string
}

// `[ALERT]    (11415) : config : parsing [a.cfg:10] : 'bind' : invalid port '0'`
const PREFIX = /^\[(ALERT|WARNING)\]\s+\(\d+\)\s*:\s*(?:config\s*:\s*)?(.*)$/
// The location forms HAProxy 2.x uses: `parsing [f:10] :`, `[f:10] :`, `Parsing [f:11]:`.
const LOCATION = /^(?:parsing\s+)?\[([^\]]+):(\d+)\]\s*:?\s*(.*)$/i
// Summary lines that repeat what the real entries already said.
const SUMMARY = [/^Error\(s\) found in configuration file/, /^Fatal errors found in configuration\.?$/]
// Proxy names as HAProxy quotes them: `Proxy 'f':`, `backend 'b'`, `'server b/s1'`.
const PROXY = [/\bProxy '([^']+)'/, /\b(?:backend|frontend|listen|proxy) '([^']+)'/, /'server ([^'/]+)\//]

function findProxy(text: string): string | undefined {
  for (const re of PROXY) {
    const m = re.exec(text)
    if (m?.[1] !== undefined) return m[1]
  }
  return undefined
}

function parseEntry(severity: 'alert' | 'warning', body: string): CheckMessage {
  const loc = LOCATION.exec(body)
  const message = (loc ? loc[3] ?? '' : body).trim()
  const proxy = findProxy(message)
  return {
    severity,
    ...(loc?.[1] !== undefined ? {file: loc[1], line: Number(loc[2])} : {}),
    ...(proxy !== undefined ? {proxy} : {}),
    message,
  }
}

/**
 * Parses `haproxy -c` stderr into ALERT and WARNING entries, in order. Continuation lines
 * (`   | …`) are appended to the entry they belong to; NOTICE lines and the two summary lines
 * ("Error(s) found…", "Fatal errors found…") are dropped.
 */
export function parseCheckOutput(stderr: string): CheckMessage[] {
  const out: CheckMessage[] = []
  let last: {severity: 'alert' | 'warning'; body: string} | undefined
  const flush = (): void => {
    if (last !== undefined) out.push(parseEntry(last.severity, last.body))
    last = undefined
  }
  for (const raw of stderr.split(/\r?\n/)) {
    const cont = /^\s+\|\s?(.*)$/.exec(raw)
    if (cont && last !== undefined) {
      last.body += ` ${cont[1] ?? ''}`.trimEnd()
      continue
    }
    const m = PREFIX.exec(raw)
    flush()
    if (!m) continue
    const body = (m[2] ?? '').trim()
    if (SUMMARY.some((re) => re.test(body))) continue
    last = {severity: m[1] === 'ALERT' ? 'alert' : 'warning', body}
  }
  flush()
  return out
}

/** The alerts of a parse, or a single synthetic entry when HAProxy failed without any. */
export function checkErrors(messages: readonly CheckMessage[], fallback: string): CheckMessage[] {
  const alerts = messages.filter((m) => m.severity === 'alert')
  return alerts.length > 0 ? alerts : [{severity: 'alert', message: fallback}]
}

/** One line per entry, `line 12: unknown keyword …`, for logs and the excluded-app report. */
export function formatCheckMessages(messages: readonly CheckMessage[]): string {
  return messages.map((m) => (m.line !== undefined ? `line ${m.line}: ${m.message}` : m.message)).join('; ')
}
