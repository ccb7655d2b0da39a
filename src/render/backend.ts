/**
 * A service's own sections (spec §5.10): userlist, frontend, backend with its options, health
 * checks and servers.
 */
import {cookieHash, serverId} from '../model/naming.js'
import type {Service} from '../model/service.js'
import type {HealthCheck} from '../model/types.js'
import type {TemplateContext, TemplateSet} from '../templates/template-set.js'
import {emit, emitter, ServiceRenderError} from './emit.js'

/** `USERLIST_HEAD` for a service with AUTH, else empty. */
export function renderUserlist(set: TemplateSet, s: Service): string {
  const auth = s.labels.auth
  if (auth === undefined) return ''
  return emit(set, s, 'USERLIST_HEAD', {backend: s.backend, user: auth.user, passwd: auth.passwd})
}

/** `FRONTEND_HEAD` + `FRONTEND_BACKEND_GLUE`. */
export function renderFrontend(set: TemplateSet, s: Service): string {
  const {sslCert, bindOptions, bindAddr} = s.labels
  return emit(set, s, 'FRONTEND_HEAD', {
    bindAddr,
    backend: s.backend,
    servicePort: s.servicePort,
    mode: s.mode,
    sslCert: sslCert === undefined ? '' : ` ssl crt ${sslCert}`,
    bindOptions: bindOptions === undefined ? '' : ` ${bindOptions}`,
  }) + emit(set, s, 'FRONTEND_BACKEND_GLUE', {backend: s.backend})
}

/** The backend section. */
export function renderBackend(set: TemplateSet, s: Service): string {
  const l = s.labels
  let out = emit(set, s, 'BACKEND_HEAD', {backend: s.backend, balance: l.balance, mode: s.mode})
  const hostname = l.vhost ?? null
  if (s.mode === 'http') {
    if (l.useHsts) out += emit(set, s, 'BACKEND_HSTS_OPTIONS', {})
    out += emit(set, s, 'BACKEND_HTTP_OPTIONS', {})
    // spec §10.2: without a vhost these render the literal host `None`, as marathon-lb does.
    if (l.proxypassPath !== undefined) out += emit(set, s, 'HTTP_BACKEND_PROXYPASS_GLUE', {hostname, proxypath: l.proxypassPath})
    if (l.revproxyPath !== undefined) out += emit(set, s, 'HTTP_BACKEND_REVPROXY_GLUE', {hostname, rootpath: l.revproxyPath})
    if (l.redirPath !== undefined) out += emit(set, s, 'HTTP_BACKEND_REDIR', {hostname, redirpath: l.redirPath})
  }
  if (l.networkAllowed !== undefined) {
    const flavour = s.mode === 'http' ? 'HTTP' : 'TCP'
    for (const network_allowed of l.networkAllowed) out += emit(set, s, `${flavour}_BACKEND_NETWORK_ALLOWED_ACL`, {network_allowed})
    out += emit(set, s, `${flavour}_BACKEND_ACL_ALLOW_DENY`, {})
  }
  if (l.sticky) out += emit(set, s, 'BACKEND_STICKY_OPTIONS', {})
  return out + renderServers(set, s)
}

/** spec §5.9: tcp templates for tcp mode or TCP checks, else http ones. */
function checkFlavour(s: Service): 'HTTP' | 'TCP' | undefined {
  const hc = s.healthCheck
  if (hc === undefined) return undefined
  return s.mode === 'tcp' || hc.protocol === 'TCP' || hc.protocol === 'MESOS_TCP' ? 'TCP' : 'HTTP'
}

function renderServers(set: TemplateSet, s: Service): string {
  const flavour = checkFlavour(s)
  const hc = s.healthCheck as HealthCheck
  let out = flavour === undefined ? '' : emit(set, s, `BACKEND_${flavour}_HEALTHCHECK_OPTIONS`, healthCheckContext(s, hc, s.backendCheckPort ?? s.servers[0]?.port))
  const taken = new Set<number>()
  // Server-level check options only vary with the check port: render each port once.
  let checkOptions: Map<number | undefined, string> | undefined
  const serverLine = emitter(set, s, 'BACKEND_SERVER_OPTIONS')
  const servers = s.servers
  for (let j = 0; j < servers.length; j++) {
    const server = servers[j]!
    let healthCheckOptions = ''
    if (flavour !== undefined) {
      const port = s.serverCheckPorts === undefined ? hc.port : s.serverCheckPorts[j]
      checkOptions ??= new Map()
      let text = checkOptions.get(port)
      if (text === undefined) {
        text = emit(set, s, `BACKEND_SERVER_${flavour}_HEALTHCHECK_OPTIONS`, healthCheckContext(s, hc, port))
        checkOptions.set(port, text)
      }
      healthCheckOptions = text
    }
    out += serverLine({
      host: server.host,
      host_ipv4: server.ip,
      port: server.port,
      serverName: server.name,
      serverId: serverId(server.name, taken),
      cookieOptions: s.labels.sticky ? ` check cookie ${cookieHash(server.name)}` : '',
      healthCheckOptions,
      otherOptions: server.draining ? ' disabled' : '',
    })
  }
  return out
}

/** spec §4.5: the health-check placeholder set for one call. */
function healthCheckContext(s: Service, hc: HealthCheck, port: number | undefined): TemplateContext {
  const required = {
    protocol: hc.protocol, timeoutSeconds: hc.timeoutSeconds, intervalSeconds: hc.intervalSeconds,
    gracePeriodSeconds: hc.gracePeriodSeconds, maxConsecutiveFailures: hc.maxConsecutiveFailures,
  }
  const missing: string[] = []
  for (const k in required) if (required[k as keyof typeof required] === undefined) missing.push(k)
  if (missing.length > 0) {
    // marathon-lb raises KeyError here and aborts the cycle; mlb leaves out this service only.
    throw new ServiceRenderError(undefined, `health check of ${s.appId} port index ${s.portIndex} lacks ${missing.join(', ')}`)
  }
  return {
    healthCheck: hc.raw,
    healthCheckPortIndex: hc.portIndex ?? null,
    healthCheckPort: port ?? null,
    healthCheckProtocol: hc.protocol as string,
    healthCheckPath: hc.path ?? '/',
    healthCheckTimeoutSeconds: hc.timeoutSeconds as number,
    healthCheckIntervalSeconds: hc.intervalSeconds as number,
    healthCheckGracePeriodSeconds: hc.gracePeriodSeconds as number,
    healthCheckMaxConsecutiveFailures: hc.maxConsecutiveFailures as number,
    healthCheckFalls: (hc.maxConsecutiveFailures as number) + 1,
    healthCheckPortOptions: port !== undefined && port !== 0 ? ` port ${port}` : '',
  }
}
