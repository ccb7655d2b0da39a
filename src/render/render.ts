/**
 * Services + templates + options → haproxy.cfg and the two map files (spec §5.10–5.14).
 * Each service renders into a draft that is committed only when all its templates succeeded.
 */
import type {Skipped} from '../generate.js'
import {RefusedInputError} from '../errors.js'
import {cleanedUpAppId} from '../model/naming.js'
import type {Service} from '../model/service.js'
import {servedPort} from '../model/services.js'
import {PyFormatError} from '../templates/pyvalue.js'
import type {TemplateSet} from '../templates/template-set.js'
import {renderBackend, renderFrontend, renderUserlist} from './backend.js'
import {newDraft, type MapFlags, type ServiceDraft} from './draft.js'
import {emit, ServiceRenderError} from './emit.js'
import {renderGroupedHttps} from './grouped.js'
import type {SectionJoins} from './section-joins.js'
import {renderVhostAcls} from './vhosts.js'

/** The flags of `mlb serve` that shape rendering. */
export interface RenderOptions {
  readonly groups: readonly string[]
  readonly haproxyMap: boolean
  readonly dontBindHttpHttps: boolean
  readonly groupHttpsByVhost: boolean
  readonly sslCerts: readonly string[]
  /** Folder of the config, with or without a trailing `/`. */
  readonly haproxyDir: string
}

/** The rendered files and the services left out. */
export interface RenderResult {
  readonly config: string
  readonly domainMap: string
  readonly appMap: string
  readonly skipped: readonly Skipped[]
  readonly renderedAppIds: readonly string[]
}

/** spec §5.10: service order is (appId, servicePort), ordinal then numeric. */
export function compareServices(a: Service, b: Service): number {
  if (a.appId !== b.appId) return a.appId < b.appId ? -1 : 1
  return a.servicePort - b.servicePort
}

/** `{haproxy_dir}` as marathon-lb substitutes it: the config's folder without trailing `/`. */
export function mapDir(haproxyDir: string): string {
  const trimmed = haproxyDir.endsWith('/') ? haproxyDir.slice(0, -1) : haproxyDir
  return trimmed === '' ? '/' : trimmed
}

/**
 * Renders the configuration for `services` (any order). A daemon passes its render memo and
 * section joins, so that an event renders and joins again only what it changed.
 */
export function renderConfig(services: readonly Service[], set: TemplateSet, opts: RenderOptions, memo?: DraftMemo, joins?: SectionJoins): RenderResult {
  const bind = !opts.dontBindHttpHttps
  const skipped: Skipped[] = []
  const drafts = draftsOf(services, set, opts, {bind, haproxyMap: opts.haproxyMap, haproxyDir: mapDir(opts.haproxyDir)}, memo, skipped)
  const join: Join = joins === undefined ? (_section, list, pick) => list.map(pick).join('') : (section, list, pick) => joins.join(section, list, pick)
  return {
    config: assemble(set, drafts, opts, bind, join),
    // Without --haproxy-map no draft has map entries: nothing to collect.
    domainMap: opts.haproxyMap ? mapText(drafts.flatMap((d) => d.domainMap)) : '',
    appMap: opts.haproxyMap ? mapText(drafts.flatMap((d) => d.appMap)) : '',
    skipped,
    renderedAppIds: [...new Set(drafts.map((d) => d.ownerAppId))],
  }
}

/**
 * The drafts of the services this load balancer serves, in config order; the services that
 * failed go to `skipped` (an out-parameter: V8 left this function through a deopt at the end of
 * every call when it built a result object there).
 */
function draftsOf(services: readonly Service[], set: TemplateSet, opts: RenderOptions, o: ServiceRenderOptions, memo: DraftMemo | undefined, skipped: Skipped[]): ServiceDraft[] {
  let flags: MapFlags = {map80: false, map443: false, mapAppId: false}
  const appIdSeen = new Set<string>()
  const drafts: ServiceDraft[] = []
  for (const s of [...services].sort(compareServices)) {
    if (!servedPort(s.labels, s.appGroups, opts.groups)) continue
    const d = renderedService(set, s, flags, appIdSeen.has(s.appId), o, memo)
    if (d instanceof ServiceRenderError) {
      skipped.push(skippedService(s, d))
      continue
    }
    flags = d.flags
    if (d.claimsAppId) appIdSeen.add(s.appId)
    drafts.push(d)
  }
  return drafts
}

function skippedService(s: Service, err: ServiceRenderError): Skipped {
  return {appId: s.appId, portIndex: s.portIndex, ...(err.label === undefined ? {} : {label: err.label}), reason: err.message}
}

interface ServiceRenderOptions {
  readonly bind: boolean
  readonly haproxyMap: boolean
  readonly haproxyDir: string
}

/** The inputs of one service's draft besides the service, and the draft (or why it failed). */
export interface RenderedService {
  readonly set: TemplateSet
  readonly flags: MapFlags
  readonly appIdTaken: boolean
  readonly o: ServiceRenderOptions
  readonly out: ServiceDraft | ServiceRenderError
}

/**
 * Drafts by Service (one per daemon, see GenerateMemo in src/generate.ts). The build stage hands back the same Service for an app that did not change
 * (src/model/services.ts), and a draft is never changed once made, so an event that changes one
 * app renders that app's services again and finds the others here.
 */
export type DraftMemo = WeakMap<Service, RenderedService>

function sameFlags(a: MapFlags, b: MapFlags): boolean {
  return a.map80 === b.map80 && a.map443 === b.map443 && a.mapAppId === b.mapAppId
}

function sameOptions(a: ServiceRenderOptions, b: ServiceRenderOptions): boolean {
  return a.bind === b.bind && a.haproxyMap === b.haproxyMap && a.haproxyDir === b.haproxyDir
}

/** {@link renderService}, or its ServiceRenderError, found again when the inputs are the same. */
function renderedService(set: TemplateSet, s: Service, flags: MapFlags, appIdTaken: boolean, o: ServiceRenderOptions, memo: DraftMemo | undefined): ServiceDraft | ServiceRenderError {
  const hit = memo?.get(s)
  if (hit !== undefined && hit.set === set && hit.appIdTaken === appIdTaken && sameFlags(hit.flags, flags) && sameOptions(hit.o, o)) return hit.out
  let out: ServiceDraft | ServiceRenderError
  try {
    out = renderService(set, s, flags, appIdTaken, o)
  } catch (err) {
    if (!(err instanceof ServiceRenderError)) throw err
    out = err
  }
  memo?.set(s, {set, flags, appIdTaken, o, out})
  return out
}

function renderService(set: TemplateSet, s: Service, flags: MapFlags, appIdTaken: boolean, o: ServiceRenderOptions): ServiceDraft {
  const d = newDraft(s.appId, flags, s.labels.backendWeight)
  d.userlist = renderUserlist(set, s)
  d.frontend = renderFrontend(set, s)
  d.backend = renderBackend(set, s)
  if (o.bind && s.labels.vhost !== undefined) renderVhostAcls(set, s, d, o, s.labels.vhost)
  // spec §5.10: only the first http service of an app id gets the :9091 rule.
  if (s.mode === 'http' && !appIdTaken) {
    d.claimsAppId = true
    if (o.haproxyMap) {
      if (!d.flags.mapAppId) {
        d.appId = emit(set, s, 'MAP_HTTP_FRONTEND_APPID_ACL', {haproxy_dir: o.haproxyDir})
        d.flags = {...d.flags, mapAppId: true}
      }
      d.appMap.push([s.appId, s.backend])
    } else {
      d.appId = emit(set, s, 'HTTP_FRONTEND_APPID_ACL', {cleanedUpAppId: cleanedUpAppId(s.appId), hostname: s.labels.vhost ?? null, appId: s.appId, backend: s.backend})
    }
  }
  flattenDraft(d)
  return d
}

/**
 * Template output is built by concatenation, so each section is a tree of thousands of small
 * string pieces that would survive until the final join and be copied by every scavenge.
 * Flattening a service's sections once they are complete lets those pieces die young; for
 * 5,000 apps this halves the render time (measured with the bench of issue 2).
 */
function flattenDraft(d: ServiceDraft): void {
  d.userlist = flat(d.userlist)
  d.frontend = flat(d.frontend)
  d.backend = flat(d.backend)
  d.http = flat(d.http)
  d.https = flat(d.https)
  d.appId = flat(d.appId)
}

/** Forces V8 to flatten a concatenated string (reading a character does). */
function flat(s: string): string {
  if (s.length > 0) s.charCodeAt(0)
  return s
}

/** `list.map(pick).join('')` for the named section (see {@link SectionJoins}). */
type Join = (section: string, list: readonly ServiceDraft[], pick: (d: ServiceDraft) => string) => string

function byWeight(drafts: readonly ServiceDraft[]): readonly ServiceDraft[] {
  // Array.prototype.sort is stable: equal weights keep service order (spec §5.10).
  return [...drafts].sort((a, b) => b.weight - a.weight)
}

function assemble(set: TemplateSet, drafts: readonly ServiceDraft[], opts: RenderOptions, bind: boolean, join: Join): string {
  return globalSection(() => {
    let out = emit(set, undefined, 'HEAD', {})
    out += join('userlist', drafts, (d) => d.userlist)
    const weighted = bind ? byWeight(drafts) : drafts
    if (bind) out += emit(set, undefined, 'HTTP_FRONTEND_HEAD', {}) + join('http', weighted, (d) => d.http)
    out += emit(set, undefined, 'HTTP_FRONTEND_APPID_HEAD', {}) + join('appId', drafts, (d) => d.appId)
    const sslCerts = opts.sslCerts.map((c) => `crt ${c}`).join(' ')
    if (bind && opts.groupHttpsByVhost) out += renderGroupedHttps(set, drafts, sslCerts)
    else if (bind) out += emit(set, undefined, 'HTTPS_FRONTEND_HEAD', {sslCerts}) + join('https', weighted, (d) => d.https)
    out += join('frontend', drafts, (d) => d.frontend)
    return out + join('backend', drafts, (d) => d.backend)
  })
}

/** A global template failing fails the whole configuration: refuse it with its message. */
function globalSection(render: () => string): string {
  try {
    return render()
  } catch (err) {
    if (err instanceof ServiceRenderError || err instanceof PyFormatError) throw new RefusedInputError(err.message, {cause: err})
    throw err
  }
}

/** spec §5.12: `<key> <backend>` lines in order, exact duplicates once. */
function mapText(entries: readonly (readonly [string, string])[]): string {
  const seen = new Set<string>()
  let out = ''
  for (const [key, backend] of entries) {
    const line = `${key} ${backend}\n`
    if (seen.has(line)) continue
    seen.add(line)
    out += line
  }
  return out
}
