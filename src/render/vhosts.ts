/**
 * Vhost ACLs of one service on :80 and :443, the map entries and the grouped-HTTPS entries
 * (spec §5.11–5.13). The branch structure mirrors the spec's table: single vhost, then several.
 */
import {cleanedUpHostname} from '../model/naming.js'
import type {Service} from '../model/service.js'
import type {TemplateContext, TemplateSet} from '../templates/template-set.js'
import type {ServiceDraft} from './draft.js'
import {emit} from './emit.js'

/** The generation options vhost ACLs depend on. */
export interface VhostOptions {
  readonly haproxyMap: boolean
  /** `{haproxy_dir}`: folder of the config without trailing slash. */
  readonly haproxyDir: string
}

/** Shared per-service values of the ACL templates. */
interface Acl {
  readonly set: TemplateSet
  readonly s: Service
  readonly d: ServiceDraft
  readonly opts: VhostOptions
  readonly C: string
  readonly B: string
  readonly path: string | undefined
  readonly realm: string | undefined
}

/** Adds the service's vhost ACLs to the draft (binding is on and the service has a vhost). */
export function renderVhostAcls(set: TemplateSet, s: Service, d: ServiceDraft, opts: VhostOptions, vhost: string): void {
  const vhosts = vhost.split(',')
  const acl: Acl = {set, s, d, opts, C: cleanedUpHostname(vhosts[0] as string, s.appId), B: s.backend, path: s.labels.path, realm: s.labels.auth?.realm}
  if (vhosts.length === 1) singleVhost(acl, vhost)
  else multiVhost(acl, vhosts)
}

function http(a: Acl, name: string, ctx: TemplateContext): void {
  a.d.http += emit(a.set, a.s, name, ctx)
}

/** Emits on :443 and records the text for the vhost's grouped TLS frontend. */
function https(a: Acl, vhost: string, name: string, ctx: TemplateContext): void {
  const text = emit(a.set, a.s, name, ctx)
  a.d.https += text
  a.d.grouped.push({vhost, weight: a.d.weight, text})
}

function mapEntry(a: Acl, host: string): void {
  a.d.domainMap.push([host, a.B])
}

function groupedTls(a: Acl, vhost: string): void {
  if (a.s.labels.sslCert !== undefined) a.d.groupedCerts.push([vhost, a.s.labels.sslCert])
  if (a.s.labels.bindOptions !== undefined) a.d.groupedBindOptions.push([vhost, a.s.labels.bindOptions])
}

function mapHttp(a: Acl, name: string): void {
  if (a.d.flags.map80) return
  a.d.weight = -1
  a.d.flags = {...a.d.flags, map80: true}
  http(a, name, {haproxy_dir: a.opts.haproxyDir})
}

function mapHttps(a: Acl, vhost: string): void {
  if (!a.d.flags.map443) {
    a.d.weight = -1
    a.d.flags = {...a.d.flags, map443: true}
    https(a, vhost, 'MAP_HTTPS_FRONTEND_ACL', {hostname: vhost, haproxy_dir: a.opts.haproxyDir})
  }
  mapEntry(a, vhost)
}

function singleVhost(a: Acl, H: string): void {
  const {C, B, path, realm} = a
  const {appId, labels} = a.s
  const redirect = labels.redirectToHttps
  groupedTls(a, H)
  if (path !== undefined) {
    if (redirect) {
      http(a, 'HTTP_FRONTEND_ACL_ONLY', {cleanedUpHostname: C, hostname: H})
      http(a, 'HTTP_FRONTEND_ACL_ONLY_WITH_PATH', {path, backend: B, cleanedUpHostname: C, hostname: H})
      http(a, 'BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH', {bindAddr: labels.bindAddr, cleanedUpHostname: C, backend: B})
    } else if (realm !== undefined) {
      http(a, 'HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH', {cleanedUpHostname: C, hostname: H, path, appId, realm, backend: B})
    } else {
      http(a, 'HTTP_FRONTEND_ACL_WITH_PATH', {cleanedUpHostname: C, hostname: H, path, appId, backend: B})
    }
    https(a, H, 'HTTPS_FRONTEND_ACL_ONLY_WITH_PATH', {path, backend: B})
    if (realm !== undefined) https(a, H, 'HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH', {cleanedUpHostname: C, hostname: H, appId, realm, backend: B, path})
    else https(a, H, 'HTTPS_FRONTEND_ACL_WITH_PATH', {cleanedUpHostname: C, hostname: H, appId, backend: B})
    return
  }
  if (redirect) {
    http(a, 'HTTP_FRONTEND_ACL', {cleanedUpHostname: C, hostname: H, backend: B})
    http(a, 'BACKEND_REDIRECT_HTTP_TO_HTTPS', {bindAddr: labels.bindAddr, cleanedUpHostname: C})
  } else if (realm !== undefined) {
    http(a, 'HTTP_FRONTEND_ACL_WITH_AUTH', {cleanedUpHostname: C, hostname: H, appId, realm, backend: B})
  } else if (a.opts.haproxyMap) {
    mapHttp(a, 'MAP_HTTP_FRONTEND_ACL')
    mapEntry(a, H)
  } else {
    http(a, 'HTTP_FRONTEND_ACL', {cleanedUpHostname: C, hostname: H, appId, backend: B})
  }
  if (realm !== undefined) https(a, H, 'HTTPS_FRONTEND_ACL_WITH_AUTH', {cleanedUpHostname: C, hostname: H, appId, realm, backend: B})
  else if (a.opts.haproxyMap) mapHttps(a, H)
  else https(a, H, 'HTTPS_FRONTEND_ACL', {cleanedUpHostname: C, hostname: H, appId, backend: B})
}

function multiVhost(a: Acl, vhosts: readonly string[]): void {
  const {C, B, path, realm} = a
  const {appId, labels} = a.s
  const map = a.opts.haproxyMap
  if (path !== undefined) {
    if (realm !== undefined) {
      http(a, 'HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH', {path, cleanedUpHostname: C, hostname: vhosts[0] as string, realm, backend: B})
      a.d.https += emit(a.set, a.s, 'HTTPS_FRONTEND_ACL_ONLY_WITH_PATH', {path, backend: B, cleanedUpHostname: C, hostname: vhosts[0] as string, realm})
    } else {
      http(a, 'HTTP_FRONTEND_ACL_ONLY_WITH_PATH', {path, backend: B})
      a.d.https += emit(a.set, a.s, 'HTTPS_FRONTEND_ACL_ONLY_WITH_PATH', {path, backend: B})
    }
  }
  const pathAcl = a.d.https
  for (const v of vhosts) {
    a.d.grouped.push({vhost: v, weight: a.d.weight, text: pathAcl})
    groupedTls(a, v)
    if (map && path === undefined && realm === undefined && !labels.redirectToHttps) {
      mapHttp(a, 'MAP_HTTP_FRONTEND_ACL_ONLY')
      mapEntry(a, v)
    } else {
      http(a, 'HTTP_FRONTEND_ACL_ONLY', {cleanedUpHostname: C, hostname: v})
    }
    if (path !== undefined && realm !== undefined) https(a, v, 'HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH', {cleanedUpHostname: C, hostname: v, appId, realm, backend: B})
    else if (path !== undefined) https(a, v, 'HTTPS_FRONTEND_ACL_WITH_PATH', {cleanedUpHostname: C, hostname: v, appId, backend: B})
    else if (realm !== undefined) https(a, v, 'HTTPS_FRONTEND_ACL_WITH_AUTH', {cleanedUpHostname: C, hostname: v, appId, realm, backend: B})
    else if (map) mapHttps(a, v)
    else https(a, v, 'HTTPS_FRONTEND_ACL', {cleanedUpHostname: C, hostname: v, appId, backend: B})
  }
  multiVhostRouting(a)
}

/** spec §5.11 step 3: the :80 routing line after the host ACLs. */
function multiVhostRouting(a: Acl): void {
  const {C, B, path, realm} = a
  if (a.s.labels.redirectToHttps) {
    if (path !== undefined) http(a, 'BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH', {bindAddr: a.s.labels.bindAddr, cleanedUpHostname: C, backend: B})
    else http(a, 'BACKEND_REDIRECT_HTTP_TO_HTTPS', {bindAddr: a.s.labels.bindAddr, cleanedUpHostname: C})
  } else if (path !== undefined) {
    if (realm !== undefined) http(a, 'HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', {cleanedUpHostname: C, realm, backend: B})
    else http(a, 'HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH', {cleanedUpHostname: C, backend: B})
  } else if (realm !== undefined) {
    http(a, 'HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH', {cleanedUpHostname: C, realm, backend: B})
  } else if (!a.opts.haproxyMap) {
    http(a, 'HTTP_FRONTEND_ROUTING_ONLY', {cleanedUpHostname: C, backend: B})
  }
}
