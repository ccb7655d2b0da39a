/**
 * The loaded, compiled set of templates generation uses (defaults, file and environment
 * overrides), built once by `loadTemplateSet` (src/templates/load.ts). Per-service label
 * overrides are compiled on demand by `compileUserTemplate` (src/templates/compile.ts).
 */
import type {PyValue} from './pyvalue.js'

/**
 * Values substituted only into the default templates (HEAD, the :80/:443/:9091 frontend heads).
 * The defaults are marathon-lb's, so default output is byte-identical to marathon-lb's; the
 * daemon moves them to unprivileged loopback ports for tests and the demo.
 */
export interface TemplateGlobals {
  /** Folder of the Lua services loaded by HEAD (marathon-lb: `/marathon-lb`). */
  readonly luaDir: string
  readonly statsSocket: string
  /** `server-state-base`, with its trailing `/`. */
  readonly serverStateBase: string
  /** Bind address of the `listen stats` section. */
  readonly statsBind: string
  readonly httpBind: string
  readonly httpsBind: string
  readonly appIdBind: string
  /** Global `maxconn` (marathon-lb: 50000, which needs a file-descriptor limit of about 100k). */
  readonly maxconn: string
  /**
   * Extra lines for the global section, each with its two-space indent and newline (default
   * none). mlb flags such as `--haproxy-global` use it; empty keeps marathon-lb's exact bytes.
   */
  readonly extraGlobal: string
}

/** Keyword arguments of one template call site. */
export type TemplateContext = Readonly<Record<string, PyValue>>

/** Where a template's text came from. */
export type TemplateSource = 'default' | 'env' | 'file' | 'label'

/** A template ready to render. `render` throws `PyFormatError` for a bad user override. */
export interface CompiledTemplate {
  readonly source: TemplateSource
  /** Human-readable origin for messages: `default`, `HAPROXY_X (environment)`, a file path. */
  readonly origin: string
  render(ctx: TemplateContext): string
}

/** The templates in effect for one mlb process (spec §4.2 precedence already applied). */
export interface TemplateSet {
  readonly kind: 'TemplateSet'
  readonly globals: TemplateGlobals
  /** The template in effect for `name` (without `HAPROXY_`); throws for an unknown name. */
  get(name: string): CompiledTemplate
}
