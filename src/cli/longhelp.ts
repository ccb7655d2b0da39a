/**
 * `mlb serve --longhelp` (spec §1.1): marathon-lb's Longhelp.md layout — overview, the `-h` text
 * in a fenced block, then the template reference and the label reference. Pure formatting: the
 * caller passes the template catalogue and the label table the core defines.
 */
import {formatHelp} from './argparse-help.js'
import {SERVE_DESCRIPTION, SERVE_FLAGS, SERVE_PROG} from './serve-flags.js'

/** One template as the reference shows it. */
export interface TemplateDoc {
  /** Full name, e.g. `HAPROXY_BACKEND_HEAD`. */
  readonly name: string
  readonly perService: boolean
  readonly description: string
  readonly placeholders: readonly string[]
  /** Default text in the syntax an override uses. */
  readonly defaultText: string
}

/** One label as the reference shows it. */
export interface LabelDoc {
  /** Full key, e.g. `HAPROXY_{n}_VHOST` or `HAPROXY_GROUP`. */
  readonly name: string
  readonly perService: boolean
  readonly description: string
  /** Default value in words, when there is one worth showing. */
  readonly defaultText?: string | undefined
}

const OVERVIEW = `mlb serve turns the apps of a Marathon cluster into an HAProxy configuration: every service
port of an app whose \`HAPROXY_GROUP\` matches \`--group\` becomes a frontend and a backend, with
its running tasks as servers. It is a drop-in successor to marathon-lb: the flags, labels,
templates and the generated \`haproxy.cfg\` are marathon-lb's.

Templates can be overridden, from the most to the least specific: a per-service label
\`HAPROXY_{n}_<TEMPLATE>\` (for the templates marked *per service port*), an environment variable
\`HAPROXY_<TEMPLATE>\` (\`\\n\` stands for a newline), or a file \`templates/HAPROXY_<TEMPLATE>\` in the
working directory. Overrides use marathon-lb's placeholder syntax: \`{backend}\`, and \`{{\` / \`}}\`
for literal braces.`

function fence(text: string): string {
  return `\`\`\`\n${text.endsWith('\n') ? text : `${text}\n`}\`\`\``
}

function templateSection(t: TemplateDoc): string {
  const label = t.name.replace(/^HAPROXY_/, 'HAPROXY_{n}_')
  const where = t.perService ? `Specified as \`${t.name}\` template or with label \`${label}\`.` : `Specified as \`${t.name}\` template only.`
  const placeholders = t.placeholders.length === 0 ? '' : `\n\nPlaceholders: ${t.placeholders.map((p) => `\`{${p}}\``).join(', ')}.`
  return [
    `## \`${t.name}\``,
    `  *${t.perService ? 'Overridable per service port' : 'Global'}*`,
    '',
    where,
    '',
    `${t.description}${placeholders}`,
    '',
    `**Default template for \`${t.name}\`:**`,
    fence(t.defaultText),
  ].join('\n')
}

function labelSection(l: LabelDoc): string {
  const dflt = l.defaultText === undefined ? '' : `\n\nDefault: ${l.defaultText}`
  return [`## \`${l.name}\``, `  *${l.perService ? 'per service port' : 'per app'}*`, '', `Specified as \`${l.name}\`.`, '', `${l.description}${dflt}`].join('\n')
}

/** The whole long help text (Markdown), ending with a newline. */
export function formatLonghelp(templates: readonly TemplateDoc[], labels: readonly LabelDoc[]): string {
  const parts = [
    '# mlb serve',
    '### Overview',
    OVERVIEW,
    '## Usage',
    'The full usage of `mlb serve` (the flags of marathon_lb.py, with the same names and defaults):',
    fence(formatHelp(SERVE_PROG, SERVE_DESCRIPTION, SERVE_FLAGS)),
    '## Templates',
    'The templates below shape the generated configuration. Global templates can only be overridden by an environment variable or a file in `templates/`; the others also per service port with a label.',
    ...templates.map(templateSection),
    '## Other Labels',
    'These labels configure apps and their service ports (`{n}` is the index of the service port, from 0).',
    ...labels.map(labelSection),
  ]
  return `${parts.join('\n\n')}\n`
}
