/**
 * Compiling user-written template text (env, file, label) in marathon-lb's Python format syntax
 * (spec §4.3), with the two per-server health-check templates' trim rule (spec §4.6). Parsed
 * programs are memoised by text: the same label on 5,000 apps is parsed once.
 */
import {templateInfo} from './catalogue.js'
import {parsePyFormat, renderPyFormat, type PyFormat} from './pyformat.js'
import type {CompiledTemplate, TemplateSource} from './template-set.js'

/** Templates whose text is trimmed and prefixed with one space before formatting. */
export const SERVER_HEALTHCHECK_TEMPLATES: ReadonlySet<string> = new Set([
  'BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS',
  'BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS',
])

/** spec §4.6: server health-check options are stripped and appended after one space. */
export function serverHealthCheckText(text: string): string {
  const trimmed = text.trim()
  return trimmed === '' ? '' : ` ${trimmed}`
}

const MEMO_LIMIT = 10_000
const memo = new Map<string, PyFormat>()

function parseMemo(text: string): PyFormat {
  let fmt = memo.get(text)
  if (fmt === undefined) {
    fmt = parsePyFormat(text)
    // A bounded memo, not a cache with policy: user texts are few; a flood just starts over.
    if (memo.size >= MEMO_LIMIT) memo.clear()
    memo.set(text, fmt)
  }
  return fmt
}

/**
 * Compiles user text for template `name`; throws `PyFormatError` (ValueError) for a stray brace.
 * Non-formatted templates (spec §4.3) are returned verbatim, braces included.
 */
export function compileUserTemplate(name: string, text: string, source: TemplateSource, origin: string): CompiledTemplate {
  const info = templateInfo(name)
  const body = SERVER_HEALTHCHECK_TEMPLATES.has(name) ? serverHealthCheckText(text) : text
  if (info !== undefined && !info.formatted) return {source, origin, render: () => body}
  const fmt = parseMemo(body)
  return {source, origin, render: (ctx) => renderPyFormat(fmt, ctx)}
}

/** Placeholders used by `text` that no call site of `name` supplies (for load-time checks). */
export function unknownPlaceholders(name: string, text: string): readonly string[] {
  const info = templateInfo(name)
  if (info === undefined || !info.formatted || info.unused === true) return []
  const allowed = new Set(info.placeholders)
  return parseMemo(SERVER_HEALTHCHECK_TEMPLATES.has(name) ? serverHealthCheckText(text) : text).names.filter((n) => !allowed.has(n))
}
