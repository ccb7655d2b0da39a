/**
 * Every `HAPROXY_*` label mlb reads (spec §3), defined once with its scope, meaning and default
 * (style rule 4). `mlb serve --longhelp` prints this table; `labels/parse.ts` decodes them.
 */
import {TEMPLATE_CATALOGUE} from '../templates/catalogue.js'

/** `app`: one value for the whole app; `port`: `HAPROXY_{n}_…`, per service-port index n. */
export type LabelScope = 'app' | 'port'

/** One label. */
export interface LabelInfo {
  /** Name pattern, `{n}` standing for the service-port index. */
  readonly name: string
  readonly scope: LabelScope
  readonly description: string
  /** Default in words (`none` when unset means "feature off"). */
  readonly default: string
}

const APP: readonly (readonly [string, string, string])[] = [
  ['HAPROXY_GROUP', 'Comma-separated load-balancer groups of the app (not trimmed); used for ports without HAPROXY_{n}_GROUP. Apps without a group are only served by `--group "*"`.', 'none'],
  ['HAPROXY_DEPLOYMENT_GROUP', 'Blue/green group: apps sharing it are merged into one app `/<group>` (written by mlb zdd).', 'none'],
  ['HAPROXY_DEPLOYMENT_STARTED_AT', 'ISO 8601 start time of a colour; the newer colour is the new one. Zone-less values are read as UTC.', 'oldest possible'],
  ['HAPROXY_DEPLOYMENT_TARGET_INSTANCES', 'Integer target size of the deployment; read by the merge when the new colour has HAPROXY_DEPLOYMENT_NEW_INSTANCES.', 'none'],
  ['HAPROXY_DEPLOYMENT_NEW_INSTANCES', 'Hybrid split size written by zdd; its presence switches the merge to the lastScalingAt tie-break and TARGET_INSTANCES.', 'none'],
  ['HAPROXY_DEPLOYMENT_ALT_PORT', 'Alternate service port used by zdd (not read by serve).', 'none'],
  ['HAPROXY_DEPLOYMENT_COLOUR', '`blue` or `green`, written by zdd (not read by serve).', 'none'],
  ['HAPROXY_APP_ID', 'Original app id, written by zdd (not read by serve).', 'none'],
]

const PORT: readonly (readonly [string, string, string])[] = [
  ['VHOST', 'Virtual host(s), lower-cased; a comma-separated list (not trimmed) gives several. Adds :80/:443 ACLs and makes the default mode http. Control characters, quotes, backslash, `#` and braces are refused.', 'none'],
  ['PATH', 'Path prefix for `path_beg` ACLs (verbatim, so `-i /a /b` works); only with VHOST. Raises a weight of 0 to 1.', 'none'],
  ['BACKEND_WEIGHT', 'Integer ordering key of the vhost ACL blocks, higher first.', '0 (1 with PATH)'],
  ['GROUP', 'Comma-separated groups for this port only; overrides HAPROXY_GROUP.', 'none'],
  ['ENABLED', 'Boolean (true, t, yes, y in any case); disabled ports are left out.', 'true (false with --strict-mode)'],
  ['MODE', '`http` or `tcp` (any case); wins over a port\'s own HTTP health check.', 'http with VHOST or an HTTP check, else tcp'],
  ['BALANCE', 'Load-balancing algorithm (`balance <x>`).', 'roundrobin'],
  ['BIND_ADDR', 'Bind address of the service frontend.', '*'],
  ['BIND_OPTIONS', 'Extra options of the service frontend bind (and of its vhost\'s TLS frontend with --group-https-by-vhost).', 'none'],
  ['SSL_CERT', 'Certificate: adds `ssl crt <value>` to the service frontend (and to its vhost\'s TLS frontend with --group-https-by-vhost).', 'none'],
  ['PORT', 'Integer 1-65535 replacing the bound service port (names and bind); tasks still match the Marathon service port.', 'Marathon service port'],
  ['STICKY', 'Boolean: cookie-based stickiness.', 'false'],
  ['REDIRECT_TO_HTTPS', 'Boolean: redirect HTTP to HTTPS on :80 for the vhosts.', 'false'],
  ['USE_HSTS', 'Boolean: add the HSTS header (http mode).', 'false'],
  ['AUTH', 'Basic auth `realm:user:password-hash` (exactly three parts). The user and the hash are single words (no white space, quotes, backslash or `#`); the realm may hold spaces, not quotes or a backslash.', 'none'],
  ['HTTP_BACKEND_PROXYPASS_PATH', 'Path prefix removed before forwarding (http mode), with the Host header set to the vhost.', 'none'],
  ['HTTP_BACKEND_REVPROXY_PATH', 'Root path that Location headers are rewritten to (http mode).', 'none'],
  ['HTTP_BACKEND_REDIR', 'Redirect target for requests to `/` of the vhost (http mode). This is a path, not a template.', 'none'],
  ['BACKEND_NETWORK_ALLOWED_ACL', 'Whitespace-separated IPs/CIDRs allowed to use the backend.', 'everyone'],
  ['BACKEND_HEALTHCHECK_PORT_INDEX', 'Integer index of another service port whose server ports (and health check, when this port has none) are used for health checks.', 'none'],
]

/** Every label, app labels first, then per-port behaviour labels, then template overrides. */
export const LABEL_TABLE: readonly LabelInfo[] = [
  ...APP.map(([name, description, def]) => ({name, scope: 'app' as const, description, default: def})),
  ...PORT.map(([n, description, def]) => ({name: `HAPROXY_{n}_${n}`, scope: 'port' as const, description, default: def})),
  ...TEMPLATE_CATALOGUE.filter((t) => t.scope === 'per-app' && t.unused !== true).map((t) => ({
    name: `HAPROXY_{n}_${t.name}`,
    scope: 'port' as const,
    description: t.name.startsWith('MAP_')
      ? `Accepted but has no effect; override with HAPROXY_{n}_${t.labelName ?? ''} instead (spec §3.3).`
      : `Template override for this port only (see template HAPROXY_${t.name}).`,
    default: `template HAPROXY_${t.name}`,
  })),
]

/** Names (after `HAPROXY_{n}_`) of the per-port behaviour labels. */
export const PORT_LABEL_NAMES: ReadonlySet<string> = new Set(PORT.map(([n]) => n))
