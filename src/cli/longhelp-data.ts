/**
 * Feeds `--longhelp` with the core's own definitions: the template catalogue (src/templates) and
 * the label table (src/labels/table.ts), so the reference can never drift from what is parsed.
 */
import {LABEL_TABLE} from '../labels/table.js'
import {loadTemplateCatalogue} from '../templates/describe.js'
import {formatLonghelp, type LabelDoc, type TemplateDoc} from './longhelp.js'

/** The full `mlb serve --longhelp` text. */
export function longhelpText(): string {
  const templates: TemplateDoc[] = loadTemplateCatalogue().map((t) => ({
    name: t.name,
    perService: t.scope === 'per-app',
    description: t.description,
    placeholders: t.placeholders,
    defaultText: t.defaultText,
  }))
  // Template-override labels are documented with their template ("or with label …").
  const templateLabels = new Set(templates.filter((t) => t.perService).map((t) => t.name.replace(/^HAPROXY_/, 'HAPROXY_{n}_')))
  const labels: LabelDoc[] = LABEL_TABLE.filter((l) => !templateLabels.has(l.name)).map((l) => ({
    name: l.name,
    perService: l.scope === 'port',
    description: l.description,
    defaultText: l.default,
  }))
  return formatLonghelp(templates, labels)
}
