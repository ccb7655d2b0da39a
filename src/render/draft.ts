/**
 * What rendering one service contributes to the configuration. Built completely before it is
 * committed, so a service whose template fails leaves no trace (no half-emitted ACLs, no
 * consumed "first map line" flag).
 */

/** Which catch-all map lines the configuration already has (spec §5.11, §5.12). */
export interface MapFlags {
  readonly map80: boolean
  readonly map443: boolean
  readonly mapAppId: boolean
}

/** One entry of a vhost's TLS frontend in --group-https-by-vhost mode (spec §5.13). */
export interface GroupedEntry {
  readonly vhost: string
  readonly weight: number
  readonly text: string
}

/** One service's contribution. */
export interface ServiceDraft {
  /** Id of the app the service belongs to. */
  readonly ownerAppId: string
  userlist: string
  frontend: string
  backend: string
  /** :80 text (`marathon_http_in`). */
  http: string
  /** :443 text (`marathon_https_in`, non-grouped). */
  https: string
  /** Sort key of the :80/:443 chunks, after the map-line mutation (spec §5.10). */
  weight: number
  /** :9091 text. */
  appId: string
  /** This service is its app's first http service (:9091 claimed). */
  claimsAppId: boolean
  grouped: GroupedEntry[]
  groupedCerts: [vhost: string, cert: string][]
  groupedBindOptions: [vhost: string, option: string][]
  domainMap: [key: string, backend: string][]
  appMap: [key: string, backend: string][]
  flags: MapFlags
}

/** An empty draft starting from the committed flags. */
export function newDraft(ownerAppId: string, flags: MapFlags, weight: number): ServiceDraft {
  return {
    ownerAppId,
    userlist: '', frontend: '', backend: '', http: '', https: '', weight, appId: '', claimsAppId: false,
    grouped: [], groupedCerts: [], groupedBindOptions: [], domainMap: [], appMap: [], flags,
  }
}
