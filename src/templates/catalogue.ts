/**
 * Every marathon-lb template (spec §4.1), defined once: its scope (global only, or also
 * overridable per service port by a `HAPROXY_{n}_<NAME>` label), whether its text goes through
 * Python `str.format`, the placeholders its call sites supply, and a one-line description for
 * `mlb serve --longhelp`. The default texts live in `templates/<kebab-name>.hbs`.
 */

/** Where a template can be overridden: env/file only, or also per service port by a label. */
export type TemplateScope = 'global' | 'per-app'

const HC = [
  'healthCheck', 'healthCheckPortIndex', 'healthCheckPort', 'healthCheckProtocol', 'healthCheckPath',
  'healthCheckTimeoutSeconds', 'healthCheckIntervalSeconds', 'healthCheckGracePeriodSeconds',
  'healthCheckMaxConsecutiveFailures', 'healthCheckFalls', 'healthCheckPortOptions',
] as const
const C = 'cleanedUpHostname'

/** One catalogue row. */
export interface TemplateInfo {
  /** Name without the `HAPROXY_` prefix, e.g. `BACKEND_HEAD`. */
  readonly name: string
  readonly scope: TemplateScope
  /** Passed through Python `str.format` (else copied verbatim, braces included). */
  readonly formatted: boolean
  /** Every keyword any call site supplies (an override using another name is refused). */
  readonly placeholders: readonly string[]
  /** The label name that overrides it per service, when it differs from `name` (spec §3.3). */
  readonly labelName?: string
  /** Never used in generation (documented by marathon-lb, kept for compatibility). */
  readonly unused?: boolean
  readonly description: string
}

type Row = readonly [name: string, scope: 'G' | 'P' | 'U', fmt: boolean, placeholders: readonly string[], description: string, labelName?: string]

const ROWS: readonly Row[] = [
  ['HEAD', 'G', false, [], 'Head of the configuration: global and defaults sections and the stats/Lua listener. Must declare a stats socket with `expose-fd listeners` and must not use `daemon`.'],
  ['HTTP_FRONTEND_HEAD', 'G', false, [], 'Start of the :80 frontend (`marathon_http_in`) that routes by Host header.'],
  ['HTTP_FRONTEND_APPID_HEAD', 'G', false, [], 'Start of the :9091 frontend (`marathon_http_appid_in`) that routes by the X-Marathon-App-Id header.'],
  ['HTTPS_FRONTEND_HEAD', 'G', true, ['sslCerts'], 'Start of the :443 frontend (`marathon_https_in`); `{sslCerts}` is `crt <path>` per --ssl-certs entry.'],
  ['HTTPS_GROUPED_FRONTEND_HEAD', 'G', false, [], 'With --group-https-by-vhost: the :443 TCP frontend that inspects SNI.'],
  ['HTTPS_GROUPED_VHOST_FRONTEND_ACL', 'G', true, ['backend', 'host'], 'With --group-https-by-vhost: one SNI routing line per virtual host.'],
  ['HTTPS_GROUPED_VHOST_BACKEND_HEAD', 'G', true, ['name'], 'With --group-https-by-vhost: loop-back backend of one virtual host.'],
  ['HTTPS_GROUPED_VHOST_FRONTEND_HEAD', 'G', true, ['name', 'sslCerts', 'bindOpts'], 'With --group-https-by-vhost: TLS-terminating frontend of one virtual host.'],
  ['HTTP_BACKEND_ACL_ALLOW_DENY', 'G', false, [], 'Allow/deny rules after the http network ACLs of BACKEND_NETWORK_ALLOWED_ACL.'],
  ['TCP_BACKEND_ACL_ALLOW_DENY', 'G', false, [], 'Accept/reject rules after the tcp network ACLs of BACKEND_NETWORK_ALLOWED_ACL.'],
  ['USERLIST_HEAD', 'P', true, ['backend', 'user', 'passwd'], 'Userlist of a service with HAPROXY_{n}_AUTH.'],
  ['FRONTEND_HEAD', 'P', true, ['bindAddr', 'backend', 'servicePort', 'mode', 'sslCert', 'bindOptions'], 'Frontend of every service port.'],
  ['FRONTEND_BACKEND_GLUE', 'P', true, ['backend'], 'Routes a service frontend to its backend.'],
  ['BACKEND_HEAD', 'P', true, ['backend', 'balance', 'mode'], 'Backend of every service port.'],
  ['BACKEND_HSTS_OPTIONS', 'P', false, [], 'HSTS header for http backends with HAPROXY_{n}_USE_HSTS.'],
  ['BACKEND_HTTP_OPTIONS', 'P', false, [], 'Options of every http-mode backend (X-Forwarded-* headers).'],
  ['HTTP_BACKEND_PROXYPASS_GLUE', 'P', true, ['hostname', 'proxypath'], 'Host header and path-prefix removal for HAPROXY_{n}_HTTP_BACKEND_PROXYPASS_PATH.'],
  ['HTTP_BACKEND_REVPROXY_GLUE', 'P', true, ['hostname', 'rootpath'], 'Location header rewriting for HAPROXY_{n}_HTTP_BACKEND_REVPROXY_PATH.'],
  ['HTTP_BACKEND_REDIR', 'G', true, ['hostname', 'redirpath'], 'Redirect of `/` for HAPROXY_{n}_HTTP_BACKEND_REDIR (that label is the path, so this template is global only).'],
  ['HTTP_BACKEND_NETWORK_ALLOWED_ACL', 'P', true, ['network_allowed'], 'One http ACL line per entry of HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL.'],
  ['TCP_BACKEND_NETWORK_ALLOWED_ACL', 'P', true, ['network_allowed'], 'One tcp ACL line per entry of HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL.'],
  ['BACKEND_STICKY_OPTIONS', 'P', false, [], 'Cookie-based stickiness for HAPROXY_{n}_STICKY.'],
  ['BACKEND_HTTP_HEALTHCHECK_OPTIONS', 'P', true, HC, 'Backend health-check options, http flavour.'],
  ['BACKEND_TCP_HEALTHCHECK_OPTIONS', 'P', true, HC, 'Backend health-check options, tcp flavour (empty by default).'],
  ['BACKEND_SERVER_OPTIONS', 'P', true, ['host', 'host_ipv4', 'port', 'serverName', 'serverId', 'cookieOptions', 'healthCheckOptions', 'otherOptions'], 'One server line per task.'],
  ['BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS', 'P', true, HC, 'Per-server health-check options, http flavour (trimmed, then prefixed with one space).'],
  ['BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS', 'P', true, HC, 'Per-server health-check options, tcp flavour (trimmed, then prefixed with one space).'],
  ['HTTP_FRONTEND_APPID_ACL', 'P', true, ['cleanedUpAppId', 'hostname', 'appId', 'backend'], ':9091 routing of an app by X-Marathon-App-Id.'],
  ['MAP_HTTP_FRONTEND_APPID_ACL', 'P', true, ['haproxy_dir'], ':9091 routing through app2backend.map (--haproxy-map).', 'HTTP_FRONTEND_APPID_ACL'],
  ['HTTP_FRONTEND_ACL', 'P', true, [C, 'hostname', 'backend', 'appId'], ':80 ACL and routing for a single virtual host.'],
  ['HTTP_FRONTEND_ACL_ONLY', 'P', true, [C, 'hostname'], ':80 host ACL without routing (several virtual hosts).'],
  ['HTTP_FRONTEND_ROUTING_ONLY', 'P', true, [C, 'backend'], ':80 routing line for several virtual hosts.'],
  ['HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH', 'P', true, [C, 'realm', 'backend'], ':80 routing with basic auth for several virtual hosts.'],
  ['HTTP_FRONTEND_ACL_WITH_AUTH', 'P', true, [C, 'hostname', 'appId', 'realm', 'backend'], ':80 ACL, basic auth and routing for a single virtual host.'],
  ['HTTP_FRONTEND_ACL_WITH_PATH', 'P', true, [C, 'hostname', 'path', 'appId', 'backend'], ':80 host and path ACLs and routing for a single virtual host.'],
  ['HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH', 'P', true, [C, 'hostname', 'path', 'appId', 'realm', 'backend'], ':80 host and path ACLs, basic auth and routing for a single virtual host.'],
  ['HTTP_FRONTEND_ACL_ONLY_WITH_PATH', 'P', true, ['path', 'backend', C, 'hostname'], ':80 path ACL only.'],
  ['HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH', 'P', true, ['path', C, 'hostname', 'realm', 'backend'], ':80 path and auth ACLs (several virtual hosts).'],
  ['HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH', 'P', true, [C, 'backend'], ':80 routing with a path (several virtual hosts).'],
  ['HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', 'P', true, [C, 'realm', 'backend'], ':80 routing with a path and basic auth (several virtual hosts).'],
  ['HTTPS_FRONTEND_ACL', 'P', true, [C, 'hostname', 'appId', 'backend'], ':443 SNI routing.'],
  ['HTTPS_FRONTEND_ACL_WITH_AUTH', 'P', true, [C, 'hostname', 'appId', 'realm', 'backend'], ':443 SNI routing with basic auth.'],
  ['HTTPS_FRONTEND_ACL_WITH_PATH', 'P', true, [C, 'hostname', 'appId', 'backend'], ':443 SNI routing with a path.'],
  ['HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH', 'P', true, [C, 'hostname', 'appId', 'realm', 'backend', 'path'], ':443 SNI routing with a path and basic auth.'],
  ['HTTPS_FRONTEND_ACL_ONLY_WITH_PATH', 'P', true, ['path', 'backend', C, 'hostname', 'realm'], ':443 path ACL.'],
  ['MAP_HTTP_FRONTEND_ACL', 'P', true, ['haproxy_dir'], ':80 routing through domain2backend.map (--haproxy-map).', 'HTTP_FRONTEND_ACL'],
  ['MAP_HTTP_FRONTEND_ACL_ONLY', 'P', true, ['haproxy_dir'], ':80 routing through domain2backend.map for several virtual hosts (--haproxy-map).', 'HTTP_FRONTEND_ACL_ONLY'],
  ['MAP_HTTPS_FRONTEND_ACL', 'P', true, ['hostname', 'haproxy_dir'], ':443 routing through domain2backend.map (--haproxy-map).', 'HTTPS_FRONTEND_ACL'],
  ['BACKEND_REDIRECT_HTTP_TO_HTTPS', 'P', true, ['bindAddr', C], ':80 redirect to HTTPS for HAPROXY_{n}_REDIRECT_TO_HTTPS.'],
  ['BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH', 'P', true, ['bindAddr', C, 'backend'], ':80 redirect to HTTPS for a service with a path.'],
  ['HTTPS_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', 'U', true, [C, 'hostname', 'realm', 'backend'], 'Documented by marathon-lb but never used in generation.'],
  ['HTTPS_FRONTEND_AUTH_ACL_ONLY', 'U', true, [C, 'backend'], 'Documented by marathon-lb but never used in generation.'],
  ['HTTPS_FRONTEND_AUTH_REQUEST_ONLY', 'U', true, [C, 'hostname', 'realm'], 'Documented by marathon-lb but never used in generation.'],
]

/** The catalogue, in marathon-lb's documentation order. */
export const TEMPLATE_CATALOGUE: readonly TemplateInfo[] = ROWS.map(([name, scope, formatted, placeholders, description, labelName]) => ({
  name,
  scope: scope === 'G' ? 'global' : 'per-app',
  formatted,
  placeholders,
  ...(labelName === undefined ? {} : {labelName}),
  ...(scope === 'U' ? {unused: true} : {}),
  description,
}))

const BY_NAME = new Map(TEMPLATE_CATALOGUE.map((t) => [t.name, t]))

/** Catalogue row of a template name (without `HAPROXY_`), or undefined. */
export function templateInfo(name: string): TemplateInfo | undefined {
  return BY_NAME.get(name)
}

/** Template names a `HAPROXY_{n}_<NAME>` label may override (spec §3.3). */
export const LABEL_TEMPLATE_NAMES: ReadonlySet<string> = new Set(
  TEMPLATE_CATALOGUE.filter((t) => t.scope === 'per-app' && t.unused !== true && !t.name.startsWith('MAP_')).map((t) => t.name),
)

/** Template names accepted as labels but without effect (`HAPROXY_{n}_MAP_*`, spec §3.3). */
export const DEAD_LABEL_TEMPLATE_NAMES: ReadonlySet<string> = new Set(
  TEMPLATE_CATALOGUE.filter((t) => t.name.startsWith('MAP_')).map((t) => t.name),
)

/** File name of a template's default text in `templates/` (kebab-case, never `HAPROXY_*`). */
export function defaultTemplateFile(name: string): string {
  return `${name.toLowerCase().replace(/_/g, '-')}.hbs`
}
