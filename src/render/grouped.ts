/**
 * The :443 section with --group-https-by-vhost (spec §5.13): an SNI-routing TCP frontend and,
 * per vhost, a loop-back backend plus a TLS frontend holding that vhost's entries. marathon-lb
 * iterates Python sets for the certificates and bind options (random order, spec §10.12). mlb
 * sorts a vhost's certificates (from its services' SSL_CERT labels), so the same state gives the
 * same bytes whichever app declared a certificate first; `--ssl-certs`, used when no service
 * names one, keeps the order the user wrote (its first certificate is HAProxy's default). Bind
 * options keep first-seen order: each is a whole label value, and options are not reordered
 * inside a bind line.
 */
import {sanitize} from '../model/naming.js'
import type {TemplateSet} from '../templates/template-set.js'
import type {GroupedEntry, ServiceDraft} from './draft.js'
import {emit} from './emit.js'

interface VhostGroup {
  readonly entries: GroupedEntry[]
  readonly certs: Set<string>
  readonly bindOptions: Set<string>
}

/** Renders the grouped :443 section from the committed drafts (in service order). */
export function renderGroupedHttps(set: TemplateSet, drafts: readonly ServiceDraft[], defaultSslCerts: string): string {
  const table = new Map<string, VhostGroup>()
  const group = (v: string): VhostGroup => {
    let g = table.get(v)
    if (g === undefined) table.set(v, (g = {entries: [], certs: new Set(), bindOptions: new Set()}))
    return g
  }
  for (const d of drafts) {
    for (const e of d.grouped) group(e.vhost).entries.push(e)
    for (const [v, c] of d.groupedCerts) group(v).certs.add(c)
    for (const [v, o] of d.groupedBindOptions) group(v).bindOptions.add(o)
  }
  const vhosts = [...table.keys()].sort(byCodeUnits)
  let out = emit(set, undefined, 'HTTPS_GROUPED_FRONTEND_HEAD', {})
  for (const v of vhosts) out += emit(set, undefined, 'HTTPS_GROUPED_VHOST_FRONTEND_ACL', {backend: sanitize(v), host: v})
  for (const v of vhosts) {
    const g = table.get(v) as VhostGroup
    const name = sanitize(v)
    out += emit(set, undefined, 'HTTPS_GROUPED_VHOST_BACKEND_HEAD', {name})
    out += emit(set, undefined, 'HTTPS_GROUPED_VHOST_FRONTEND_HEAD', {
      name,
      sslCerts: g.certs.size > 0 ? [...g.certs].sort(byCodeUnits).map((c) => `crt ${c}`).join(' ') : defaultSslCerts,
      // spec §5.13: " " + option, joined by one space (two options → double space, kept).
      bindOpts: [...g.bindOptions].map((o) => ` ${o}`).join(' '),
    })
    out += [...g.entries].sort((a, b) => b.weight - a.weight).map((e) => e.text).join('')
  }
  return out
}

/** Ascending by UTF-16 code units (Python's order for these ASCII names), not by locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
