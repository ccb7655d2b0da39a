/**
 * Labels → typed per-port options (spec §3.2, §3.3). The only place that reads
 * `HAPROXY_{n}_…` labels (style rule 4). A bad value becomes a `LabelError` naming the label,
 * so only that service port is left out (issue 2 "Bad input").
 */
import {NOT_A_WORD} from '../model/config-word.js'
import {parsePyInt} from '../model/py-int.js'
import {LABEL_TEMPLATE_NAMES} from '../templates/catalogue.js'

/** `HAPROXY_{n}_AUTH` split into its three parts. */
export interface AuthLabel {
  readonly realm: string
  readonly user: string
  readonly passwd: string
}

/** A per-port template override from a label. */
export interface TemplateLabel {
  readonly label: string
  /** The label text with CRLF normalised to LF (spec §3.3). */
  readonly text: string
}

/** The typed options of one service port. */
export interface PortLabels {
  readonly vhost: string | undefined
  readonly path: string | undefined
  readonly backendWeight: number
  readonly groups: readonly string[] | undefined
  readonly enabled: boolean
  readonly mode: string | undefined
  readonly balance: string
  readonly bindAddr: string
  readonly bindOptions: string | undefined
  readonly sslCert: string | undefined
  readonly port: number | undefined
  readonly sticky: boolean
  readonly redirectToHttps: boolean
  readonly useHsts: boolean
  readonly auth: AuthLabel | undefined
  readonly proxypassPath: string | undefined
  readonly revproxyPath: string | undefined
  readonly redirPath: string | undefined
  readonly networkAllowed: readonly string[] | undefined
  readonly healthCheckPortIndex: number | undefined
  /** Template name (without `HAPROXY_`) → override. */
  readonly templates: ReadonlyMap<string, TemplateLabel>
}

/** One bad label. */
export interface LabelError {
  readonly label: string
  readonly reason: string
}

/** The app's `HAPROXY_{n}_*` labels grouped by index: n → (name → value). */
export type IndexedLabels = ReadonlyMap<number, ReadonlyMap<string, string>>

const PORT_LABEL = /^HAPROXY_(\d+)_(.+)$/

/** Groups an app's per-port labels by index (one pass over the labels). */
export function indexLabels(labels: Readonly<Record<string, string>>): IndexedLabels {
  const out = new Map<number, Map<string, string>>()
  for (const key in labels) {
    const m = PORT_LABEL.exec(key)
    if (m === null) continue
    const n = Number(m[1])
    let bucket = out.get(n)
    if (bucket === undefined) out.set(n, (bucket = new Map()))
    bucket.set(m[2] as string, labels[key] as string)
  }
  return out
}

/** spec §3: true iff the lower-cased value is true, t, yes or y. */
export function parseBool(value: string | undefined): boolean {
  if (value === undefined) return false
  const v = value.toLowerCase()
  return v === 'true' || v === 't' || v === 'yes' || v === 'y'
}

const CONTROL = /[\x00-\x1f\x7f]/
const VHOST_BAD = /[\x00-\x1f\x7f"'\\#{}]/
/** Inside `realm "…"`: a quote would end it, a backslash escape the closing quote. */
const REALM_BAD = /[\x00-\x1f\x7f"\\]/

const EMPTY = new Map<string, string>()

/** Decodes the labels of port `n`; returns the options or every bad label found. */
export function parsePortLabels(indexed: IndexedLabels, n: number, strictMode: boolean): {readonly labels: PortLabels} | {readonly errors: readonly LabelError[]} {
  const raw = indexed.get(n) ?? EMPTY
  const errors: LabelError[] = []
  const key = (name: string): string => `HAPROXY_${n}_${name}`
  const text = (name: string, bad: RegExp = CONTROL): string | undefined => {
    const v = raw.get(name)
    if (v !== undefined && bad.test(v)) {
      errors.push({label: key(name), reason: `value ${JSON.stringify(v)} contains characters that would change the HAProxy configuration`})
      return undefined
    }
    return v === '' ? undefined : v
  }
  const int = (name: string, check?: (v: number) => boolean): number | undefined => {
    const v = raw.get(name)
    if (v === undefined) return undefined
    const parsed = parsePyInt(v)
    if (parsed === undefined || (check !== undefined && !check(parsed))) {
      errors.push({label: key(name), reason: `expected ${check === undefined ? 'an integer' : 'a port number 1-65535'}, got ${JSON.stringify(v)}`})
    }
    return parsed
  }
  const vhost = text('VHOST', VHOST_BAD)?.toLowerCase()
  const path = text('PATH')
  const weight = int('BACKEND_WEIGHT') ?? 0
  const labels: PortLabels = {
    vhost,
    path,
    // spec §3: labels apply alphabetically, so PATH sees BACKEND_WEIGHT's value and lifts 0 to 1.
    backendWeight: path !== undefined && weight === 0 ? 1 : weight,
    groups: raw.get('GROUP')?.split(','),
    enabled: raw.has('ENABLED') ? parseBool(raw.get('ENABLED')) : !strictMode,
    mode: parseMode(raw.get('MODE'), key('MODE'), errors),
    balance: text('BALANCE') ?? 'roundrobin',
    bindAddr: text('BIND_ADDR') ?? '*',
    bindOptions: text('BIND_OPTIONS'),
    sslCert: text('SSL_CERT'),
    port: int('PORT', (p) => p >= 1 && p <= 65535),
    sticky: parseBool(raw.get('STICKY')),
    redirectToHttps: parseBool(raw.get('REDIRECT_TO_HTTPS')),
    useHsts: parseBool(raw.get('USE_HSTS')),
    auth: parseAuth(raw.get('AUTH'), key('AUTH'), errors),
    proxypassPath: text('HTTP_BACKEND_PROXYPASS_PATH'),
    revproxyPath: text('HTTP_BACKEND_REVPROXY_PATH'),
    redirPath: text('HTTP_BACKEND_REDIR'),
    // Python's str.split(): any whitespace separates entries, so a newline cannot inject.
    networkAllowed: raw.get('BACKEND_NETWORK_ALLOWED_ACL')?.split(/\s+/).filter((s) => s !== ''),
    healthCheckPortIndex: int('BACKEND_HEALTHCHECK_PORT_INDEX'),
    templates: templateLabels(raw, n),
  }
  return errors.length > 0 ? {errors} : {labels}
}

function parseMode(value: string | undefined, label: string, errors: LabelError[]): string | undefined {
  if (value === undefined) return undefined
  const mode = value.toLowerCase()
  if (mode !== 'http' && mode !== 'tcp') {
    errors.push({label, reason: `expected http or tcp, got ${JSON.stringify(value)}`})
    return undefined
  }
  return mode
}

function parseAuth(value: string | undefined, label: string, errors: LabelError[]): AuthLabel | undefined {
  if (value === undefined) return undefined
  const parts = value.split(':')
  if (parts.length !== 3) {
    errors.push({label, reason: `expected realm:user:password (3 parts separated by ':'), got ${parts.length} part(s)`})
    return undefined
  }
  const [realm, user, passwd] = parts as [string, string, string]
  // The realm is written between double quotes, the user and the password hash as words of the
  // userlist line (`user u password p`): a space there gave a line HAProxy refuses.
  const bad = REALM_BAD.test(realm) ? 'realm' : NOT_A_WORD.test(user) ? 'user' : NOT_A_WORD.test(passwd) ? 'password' : undefined
  if (bad !== undefined) {
    errors.push({label, reason: `the ${bad} contains characters that would change the HAProxy configuration (white space, quotes, backslash, # or control characters)`})
    return undefined
  }
  return {realm, user, passwd}
}

const NO_TEMPLATES: ReadonlyMap<string, TemplateLabel> = new Map()

function templateLabels(raw: ReadonlyMap<string, string>, n: number): ReadonlyMap<string, TemplateLabel> {
  let out: Map<string, TemplateLabel> | undefined
  for (const [name, value] of raw) {
    if (!LABEL_TEMPLATE_NAMES.has(name)) continue
    out ??= new Map()
    out.set(name, {label: `HAPROXY_${n}_${name}`, text: value.replaceAll('\r\n', '\n')})
  }
  return out ?? NO_TEMPLATES
}
