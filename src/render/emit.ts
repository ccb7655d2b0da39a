/**
 * Rendering one template for one service with marathon-lb's precedence (spec §4.2): the
 * service's `HAPROXY_{n}_<NAME>` label, else the template set's (env > file > default). A user
 * template that fails (unknown placeholder, stray brace) becomes a {@link ServiceRenderError},
 * which excludes only that service.
 */
import {templateInfo} from '../templates/catalogue.js'
import {compileUserTemplate} from '../templates/compile.js'
import {PyFormatError} from '../templates/pyvalue.js'
import type {CompiledTemplate, TemplateContext, TemplateSet} from '../templates/template-set.js'
import type {Service} from '../model/service.js'

/** A template of one service could not be rendered. */
export class ServiceRenderError extends Error {
  /** The `HAPROXY_{n}_<NAME>` label at fault, when the template came from a label. */
  readonly label: string | undefined
  constructor(label: string | undefined, message: string) {
    super(message)
    this.name = 'ServiceRenderError'
    this.label = label
  }
}

/** The template in effect for `name` for this service (labels win, spec §3.3). */
export function templateFor(set: TemplateSet, service: Service | undefined, name: string): CompiledTemplate {
  if (service !== undefined && service.labels.templates.size > 0) {
    // spec §3.3: MAP_* templates are overridden through the non-map label name.
    const labelName = templateInfo(name)?.labelName ?? name
    const label = service.labels.templates.get(labelName)
    if (label !== undefined) {
      try {
        return compileUserTemplate(name, label.text, 'label', label.label)
      } catch (err) {
        throw asRenderError(err, 'label', label.label, name)
      }
    }
  }
  return set.get(name)
}

/** Renders template `name` for `service` (or a global one when `service` is undefined). */
export function emit(set: TemplateSet, service: Service | undefined, name: string, ctx: TemplateContext): string {
  return render(templateFor(set, service, name), name, ctx)
}

/** {@link emit} with the template looked up once, for a template rendered once per server. */
export function emitter(set: TemplateSet, service: Service | undefined, name: string): (ctx: TemplateContext) => string {
  const tpl = templateFor(set, service, name)
  return (ctx) => render(tpl, name, ctx)
}

function render(tpl: CompiledTemplate, name: string, ctx: TemplateContext): string {
  try {
    return tpl.render(ctx)
  } catch (err) {
    throw asRenderError(err, tpl.source, tpl.origin, name)
  }
}

function asRenderError(err: unknown, source: string, origin: string, name: string): unknown {
  if (!(err instanceof PyFormatError)) return err
  const hint = err.pyType === 'KeyError' ? ' (unknown placeholder)' : err.pyType === 'ValueError' ? ' (write literal braces as {{ and }})' : ''
  return new ServiceRenderError(source === 'label' ? origin : undefined, `template HAPROXY_${name} from ${origin} failed: ${err.message}${hint}`)
}
