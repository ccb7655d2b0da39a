/**
 * The one edge of the template layer (style rule 2): reads the default Handlebars files, the
 * `templates/HAPROXY_<NAME>` files of the working directory and the `HAPROXY_<NAME>` environment
 * variables once, applies marathon-lb's precedence (spec §4.2) and compiles everything.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'
import type Handlebars from 'handlebars'
import {MlbError, RefusedInputError} from '../errors.js'
import {defaultTemplatesDir, luaDir} from '../paths.js'
import {TEMPLATE_CATALOGUE, defaultTemplateFile, type TemplateInfo} from './catalogue.js'
import {SERVER_HEALTHCHECK_TEMPLATES, compileUserTemplate, serverHealthCheckText, unknownPlaceholders} from './compile.js'
import {compileDefaultTemplate} from './hbs-compile.js'
import {PyFormatError} from './pyvalue.js'
import type {CompiledTemplate, TemplateGlobals, TemplateSet} from './template-set.js'

/** marathon-lb's values of the template globals (spec §2.2, §7). */
export function defaultTemplateGlobals(): TemplateGlobals {
  return {
    luaDir: luaDir(),
    statsSocket: '/var/run/haproxy/socket',
    serverStateBase: '/var/state/haproxy/',
    statsBind: '0.0.0.0:9090',
    httpBind: '*:80',
    httpsBind: '*:443',
    appIdBind: '*:9091',
    maxconn: '50000',
    extraGlobal: '',
  }
}

/** What the loader reads: the environment, the working directory, optional global overrides. */
export interface LoadTemplateOptions {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly globals?: Partial<TemplateGlobals>
}

const DEFAULT_GLOBAL_OPTIONS = 'redispatch,http-server-close,dontlognull'

/** spec §4.4: the `option` lines of the default HEAD (set-but-empty counts as set). */
export function globalDefaultOptionLines(value: string | undefined): string {
  const items = (value ?? DEFAULT_GLOBAL_OPTIONS).split(',').map((s) => s.trim())
  return [...new Set(items)].sort(ordinal).map((o) => `  option            ${o}\n`).join('')
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Builds the template set. Throws `RefusedInputError` for a custom HAPROXY_HEAD that uses
 * `daemon` or lacks `expose-fd listeners` (spec §4.1), or for an env/file override with a stray
 * brace or a placeholder no call site supplies: marathon-lb fails every cycle on those, mlb
 * refuses to start with a message naming the variable or file. The same for an override that is
 * not valid UTF-8, and an `MlbError` (exit 1) for a template file that exists but cannot be read.
 */
export function loadTemplateSet(opts: LoadTemplateOptions): TemplateSet {
  const globals: TemplateGlobals = {...defaultTemplateGlobals(), ...definedOnly(opts.globals ?? {})}
  let instance: typeof Handlebars | undefined
  // Loaded on first need only (see compileDefaultTemplate); handlebars is CommonJS, so a
  // synchronous require keeps this loader synchronous.
  const hb = (): typeof Handlebars => (instance ??= (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create())
  const data = {...globals, defaultOptions: globalDefaultOptionLines(opts.env.HAPROXY_GLOBAL_DEFAULT_OPTIONS)}
  const compiled = new Map<string, CompiledTemplate>()
  for (const info of TEMPLATE_CATALOGUE) {
    const override = readOverride(info, opts)
    compiled.set(info.name, override ?? compileDefault(hb, info, data))
  }
  checkHead((compiled.get('HEAD') as CompiledTemplate).render({}), compiled.get('HEAD') as CompiledTemplate)
  return {
    kind: 'TemplateSet',
    globals,
    get(name: string): CompiledTemplate {
      const t = compiled.get(name)
      if (t === undefined) throw new Error(`unknown template ${name}`)
      return t
    },
  }
}

function definedOnly(partial: Partial<TemplateGlobals>): Partial<TemplateGlobals> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TemplateGlobals>
}

function readOverride(info: TemplateInfo, opts: LoadTemplateOptions): CompiledTemplate | undefined {
  const key = `HAPROXY_${info.name}`
  const envValue = opts.env[key]
  if (envValue !== undefined && envValue !== '') {
    // spec §4.2: only the two-character sequence backslash-n is unescaped.
    return compileChecked(info, checkEnvText(key, envValue).replaceAll('\\n', '\n'), 'env', `environment variable ${key}`)
  }
  const file = join(opts.cwd, 'templates', key)
  if (existsSync(file)) return compileChecked(info, readTemplateFile(file, key), 'file', `file ${file}`)
  return undefined
}

/**
 * Node decodes the environment as UTF-8 and puts U+FFFD where the bytes were not UTF-8, so the
 * original bytes are gone by the time mlb sees them. A template never needs U+FFFD itself, so mlb
 * takes one as the sign of such bytes and refuses, as it refuses an invalid file (below), rather
 * than write changed bytes into the configuration.
 */
function checkEnvText(key: string, value: string): string {
  if (value.includes('\uFFFD')) {
    throw new RefusedInputError(`Template ${key} from environment variable ${key} is not valid UTF-8 (it contains U+FFFD, which stands for bytes that are not UTF-8)`)
  }
  return value
}

/**
 * Reads an override file as marathon-lb does (Python 3 text mode, UTF-8, universal newlines:
 * `\r\n` and a lone `\r` become `\n`, so a template saved with Windows line ends gives the
 * same configuration): a file it cannot read, or bytes that are not UTF-8, fail with one message
 * naming the file and template instead of a raw Node error, or of U+FFFD silently replacing
 * bytes in the configuration.
 */
function readTemplateFile(file: string, key: string): string {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new MlbError(`cannot read template file ${file} (${key}): ${code ?? (err as Error).message}`, {code: 'MLB_ERR_TEMPLATE_READ', exit: 1, cause: err})
  }
  try {
    // ignoreBOM keeps a leading BOM as U+FEFF, as Python's 'utf-8' codec and readFileSync do.
    return new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes).replace(/\r\n?/g, '\n')
  } catch (err) {
    throw new RefusedInputError(`Template ${key} from file ${file} is not valid UTF-8`, {cause: err})
  }
}

function compileChecked(info: TemplateInfo, text: string, source: 'env' | 'file', origin: string): CompiledTemplate {
  try {
    const unknown = unknownPlaceholders(info.name, text)
    if (unknown.length > 0) {
      throw new RefusedInputError(`Template HAPROXY_${info.name} from ${origin} uses unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}; available: ${info.placeholders.map((n) => `{${n}}`).join(', ') || 'none'}`)
    }
    return compileUserTemplate(info.name, text, source, origin)
  } catch (err) {
    if (err instanceof PyFormatError) {
      throw new RefusedInputError(`Template HAPROXY_${info.name} from ${origin} is not a valid format string (${err.message}); write literal braces as {{ and }}`, {cause: err})
    }
    throw err
  }
}

function compileDefault(hb: () => typeof Handlebars, info: TemplateInfo, data: Readonly<Record<string, string>>): CompiledTemplate {
  let source = readFileSync(join(defaultTemplatesDir(), defaultTemplateFile(info.name)), 'utf8')
  if (SERVER_HEALTHCHECK_TEMPLATES.has(info.name)) source = serverHealthCheckText(source)
  return {source: 'default', origin: 'default', render: compileDefaultTemplate(hb, source, data)}
}

/** spec §4.1: marathon-lb ≥1.12 needs a master-worker friendly HEAD. */
function checkHead(head: string, template: CompiledTemplate): void {
  if (template.source === 'default') return
  const problems: string[] = []
  if (head.split(/\s+/).includes('daemon')) problems.push('remove "daemon"')
  if (!head.includes('expose-fd listeners')) problems.push('add "stats socket /var/run/haproxy/socket expose-fd listeners"')
  if (problems.length > 0) {
    throw new RefusedInputError(`Error in custom HAPROXY_HEAD template (${template.origin}): since marathon-lb 1.12 HAProxy runs in master-worker mode; ${problems.join(' and ')}`)
  }
}
