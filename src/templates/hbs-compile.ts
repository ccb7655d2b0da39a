/**
 * Compiling the default Handlebars templates. Handlebars' runtime sets up helpers, partials and
 * prototype-access control on every call, which costs more than the rendering itself for the
 * one-line templates marathon-lb's config is made of (5,000 apps ≈ 75,000 calls). A template
 * made only of text and simple `{{name}}` / `{{@global}}` mustaches — all the defaults — is
 * therefore compiled from Handlebars' own AST into a direct concatenation with the same
 * semantics (noEscape, strict: a missing name throws); anything richer (blocks, helpers,
 * partials) falls back to `Handlebars.compile`.
 */
import type Handlebars from 'handlebars'
import {pyStr, type PyValue} from './pyvalue.js'
import type {TemplateContext} from './template-set.js'

type Part = string | {readonly key: string}

/** Renders a default template: Python `str()` of each value (Handlebars alone would print '' for None). */
export type DefaultRenderer = (ctx: TemplateContext) => string

/**
 * Compiles `source` once; `data` holds the `@` globals. `hb` is called only for a template
 * that is not plain text and simple mustaches: loading Handlebars (its compiler and the
 * source-map library it pulls in) costs about 20 ms of a `--dry` run the defaults never need.
 */
export function compileDefaultTemplate(hb: () => typeof Handlebars, source: string, data: Readonly<Record<string, string>>): DefaultRenderer {
  const parts = plainParts(source, data) ?? simpleParts(hb(), source, data)
  if (parts !== undefined) return concatRenderer(parts)
  const tpl = hb().compile(source, {noEscape: true, strict: true})
  const options = {data}
  return (ctx) => tpl(toStrings(ctx), options)
}

/**
 * One function per template, generated from its parts: each placeholder becomes a named
 * property read that only ever sees that call site's context, where one shared loop over the
 * parts would make every read megamorphic (the server line alone runs once per task). Keys and
 * text are embedded with JSON.stringify, so nothing from a template can escape into the code.
 */
function concatRenderer(parts: readonly Part[]): DefaultRenderer {
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('')
    return () => text
  }
  const terms = parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : `text(${JSON.stringify(p.key)}, ctx[${JSON.stringify(p.key)}])`))
  const render = new Function('text', `return (ctx) => ${terms.join(' + ')}`) as (t: typeof text) => DefaultRenderer
  return render(text)
}

/** A placeholder's value as text (Python `str()`); a missing key throws, as Handlebars' strict mode. */
function text(key: string, v: PyValue | undefined): string {
  if (v === undefined) throw new Error(`"${key}" not defined in template context`)
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : pyStr(v)
}

/** `{{name}}` or `{{@name}}`, white space allowed inside the braces. */
const SIMPLE_MUSTACHE = /^\s*(@?)([A-Za-z_][A-Za-z0-9_]*)\s*$/
/** Names Handlebars reads as literals or keywords, not as context keys. */
const RESERVED: ReadonlySet<string> = new Set(['true', 'false', 'null', 'undefined', 'this', 'else'])

/**
 * The parts of a template made only of text and simple mustaches, found without Handlebars;
 * undefined for anything Handlebars could read differently (escapes, triple braces, comments,
 * blocks, whitespace control, paths, literals), which then goes through {@link simpleParts}.
 */
export function plainParts(source: string, data: Readonly<Record<string, string>>): Part[] | undefined {
  if (source.includes('\\{{') || source.includes('{{{') || source.includes('}}}')) return undefined
  const pieces = source.split(/\{\{|\}\}/)
  // Text and mustache contents alternate: text{{a}}text{{b}}text has 5 pieces.
  if (pieces.length % 2 === 0) return undefined
  const delimiters = source.match(/\{\{|\}\}/g) ?? []
  const parts: Part[] = []
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string
    if (i % 2 === 0) {
      if (piece !== '') parts.push(piece)
      continue
    }
    if (delimiters[i - 1] !== '{{' || delimiters[i] !== '}}') return undefined
    const m = SIMPLE_MUSTACHE.exec(piece)
    if (m === null || RESERVED.has(m[2] as string)) return undefined
    const key = m[2] as string
    if (m[1] === '@') {
      const v = data[key]
      if (v === undefined) throw new Error(`"@${key}" not defined in template globals`)
      parts.push(v)
    } else parts.push({key})
  }
  return parts
}

/** The template as literal/placeholder parts (from Handlebars' AST), or undefined when it needs the full runtime. */
export function simpleParts(hb: typeof Handlebars, source: string, data: Readonly<Record<string, string>>): Part[] | undefined {
  const ast = hb.parse(source)
  const parts: Part[] = []
  for (const st of ast.body) {
    if (st.type === 'ContentStatement') {
      parts.push((st as hbs.AST.ContentStatement).value)
      continue
    }
    if (st.type !== 'MustacheStatement') return undefined
    const m = st as hbs.AST.MustacheStatement
    if (m.params.length > 0 || m.hash !== undefined || m.path.type !== 'PathExpression') return undefined
    const path = m.path as hbs.AST.PathExpression
    if (path.parts.length !== 1 || path.depth !== 0) return undefined
    const key = path.parts[0] as string
    if (path.data) {
      const v = data[key]
      if (v === undefined) throw new Error(`"@${key}" not defined in template globals`)
      parts.push(v)
    } else parts.push({key})
  }
  return parts
}

function toStrings(ctx: TemplateContext): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const k in ctx) {
    const v = ctx[k] as PyValue
    out[k] = typeof v === 'string' || typeof v === 'number' ? v : pyStr(v)
  }
  return out
}
