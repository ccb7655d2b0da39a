/**
 * The template reference for `mlb serve --longhelp`: every template with its scope, description
 * and default text written in the syntax users override it with (Python format, spec §4.3).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {defaultTemplatesDir} from '../paths.js'
import {TEMPLATE_CATALOGUE, defaultTemplateFile, type TemplateScope} from './catalogue.js'
import {defaultTemplateGlobals, globalDefaultOptionLines} from './load.js'
import type {TemplateGlobals} from './template-set.js'

/** One template as `--longhelp` shows it. */
export interface TemplateCatalogueEntry {
  /** Full name, e.g. `HAPROXY_BACKEND_HEAD`. */
  readonly name: string
  readonly scope: TemplateScope
  readonly description: string
  /** Placeholders an override may use. */
  readonly placeholders: readonly string[]
  /** The default text, as a user would write it in an override. */
  readonly defaultText: string
}

/** Reads the default templates and describes them (globals default to marathon-lb's). */
export function loadTemplateCatalogue(globals: Partial<TemplateGlobals> = {}): readonly TemplateCatalogueEntry[] {
  const data: Record<string, string> = {...defaultTemplateGlobals(), ...globals, defaultOptions: globalDefaultOptionLines(undefined)}
  return TEMPLATE_CATALOGUE.map((info) => {
    const hbs = readFileSync(join(defaultTemplatesDir(), defaultTemplateFile(info.name)), 'utf8')
    return {
      name: `HAPROXY_${info.name}`,
      scope: info.scope,
      description: info.description,
      placeholders: info.placeholders,
      defaultText: hbsToUserSyntax(hbs, data, info.formatted),
    }
  })
}

/** `{{x}}` → `{x}`, `{{@g}}` → the global's value, literal braces doubled when formatted. */
export function hbsToUserSyntax(hbs: string, data: Readonly<Record<string, string>>, formatted: boolean): string {
  const esc = (s: string): string => (formatted ? s.replace(/[{}]/g, (b) => b + b) : s)
  let out = ''
  let last = 0
  for (const m of hbs.matchAll(/\{\{(@?)([A-Za-z_][\w]*)\}\}/g)) {
    out += esc(hbs.slice(last, m.index))
    out += m[1] === '@' ? esc(data[m[2] as string] ?? '') : `{${m[2] as string}}`
    last = m.index + m[0].length
  }
  return out + esc(hbs.slice(last))
}
