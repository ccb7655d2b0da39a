/**
 * The pure core's entry point: Marathon state in, HAProxy configuration and map files out
 * (spec §5). No I/O here (style rule 1): host names are resolved at the edge and handed in as
 * `hostIps`, templates are read once at start-up into a {@link TemplateSet}.
 *
 * CONTRACT between the core (src/model, src/labels, src/templates, src/render) and the edges
 * (commands, src/marathon, src/serve). The core team implements `generateConfig`.
 */
import {parseMarathonApps, type ParseMemo} from './model/apps.js'
import {mergeDeploymentGroups} from './model/deployment-group.js'
import {createPortAssigner} from './model/port-assigner.js'
import {buildServices, type BuildMemo, type HealthObservations} from './model/services.js'
import {renderConfig, type DraftMemo} from './render/render.js'
import {SectionJoins} from './render/section-joins.js'
import type {TemplateSet} from './templates/template-set.js'

/** The flags of `mlb serve` that shape the configuration (spec §1.1). */
export interface GenerateOptions {
  /** `--group` values; `*` matches every app. */
  readonly groups: readonly string[]
  readonly strictMode: boolean
  /** `--health-check`: route only to tasks Marathon reports alive (spec §5.3). */
  readonly healthCheck: boolean
  readonly haproxyMap: boolean
  readonly dontBindHttpHttps: boolean
  readonly groupHttpsByVhost: boolean
  /** `--ssl-certs` split on `,` (an empty flag value already replaced by the default). */
  readonly sslCerts: readonly string[]
  /**
   * Folder of `--haproxy-config` (where the map files live); a trailing `/` is optional.
   * Map templates get it as `{haproxy_dir}` without the trailing `/`, as marathon-lb does.
   */
  readonly haproxyDir: string
  /** IP-per-task service-port range, or undefined when auto-assignment is off (both set to 0). */
  readonly servicePortRange: {readonly min: number; readonly max: number} | undefined
  /** Env `FRAMEWORK_NAME`: the app whose id without its leading `/` equals it is skipped. */
  readonly frameworkName: string | undefined
}

/** An app (or one service port of it) left out of the configuration, and why. */
export interface Skipped {
  readonly appId: string
  /** Service port index, when only one port of the app is affected. */
  readonly portIndex?: number
  /** The label at fault, when there is one (e.g. `HAPROXY_0_AUTH`). */
  readonly label?: string
  readonly reason: string
}

/** Everything one regeneration needs. */
export interface GenerateInput {
  /** Marathon's parsed `GET /v2/apps?embed=apps.tasks` body (`{"apps": [...]}`), untrusted. */
  readonly marathon: unknown
  readonly options: GenerateOptions
  readonly templates: TemplateSet
  /** Task host name → IPv4, resolved at the edge. IP literals need not be listed. */
  readonly hostIps: ReadonlyMap<string, string>
  /** Task id → alive, as last seen with health results (marathon-lb's LRU, spec §5.3). */
  readonly healthMemory?: ReadonlyMap<string, boolean>
  /** What earlier regenerations of the same daemon worked out (see {@link GenerateMemo}). */
  readonly memo?: GenerateMemo
}

/**
 * What the core remembers from one regeneration to the next in a daemon, so that an event costs
 * what it changed: the parsed App of each raw app object, the services of each App, the rendered
 * sections of each Service, and the joined runs of those sections. It only pays when the edge
 * hands back the same raw object for an app that did not change (src/marathon/app-reuse.ts);
 * every value is a pure function of its key and the inputs stored beside it, so the
 * configuration is byte for byte what a fresh generation gives. The maps are weak; only the last
 * render's joined runs are held (about one configuration, which the daemon keeps anyway). A
 * one-shot run (`--dry`) goes without one.
 */
export class GenerateMemo {
  readonly apps: ParseMemo = new WeakMap()
  readonly builds: BuildMemo = new WeakMap()
  readonly drafts: DraftMemo = new WeakMap()
  /** The long sections' joined runs of drafts (src/render/section-joins.ts). */
  readonly joins = new SectionJoins()
}

/** What one regeneration produces. */
export interface GeneratedConfig {
  /** Exact content of `--haproxy-config`. */
  readonly config: string
  /** Content of `domain2backend.map` (empty when map mode is off). */
  readonly domainMap: string
  /** Content of `app2backend.map` (empty when map mode is off). */
  readonly appMap: string
  /** Apps or ports left out, one entry each, for the edge to log. */
  readonly skipped: readonly Skipped[]
  /** Notices that are not exclusions (e.g. task without IP), for debug/warn logging. */
  readonly notices: readonly {readonly appId: string; readonly message: string}[]
  /**
   * Task id → alive, for every task that had health results this time (to update the memory),
   * in Marathon's order; a later entry for the same task id wins.
   */
  readonly healthObservations: Iterable<readonly [string, boolean]>
  /** Ids (after deployment-group merging) of the apps that have at least one rendered service. */
  readonly renderedAppIds: readonly string[]
}

/**
 * The pure core (spec §5.1 steps 1–3): parse Marathon's body, merge deployment groups, build
 * services, render. Throws `MarathonError` when the body is not `{"apps": [...]}` and
 * `RefusedInputError` when a global template cannot render; a bad app or label only adds a
 * `Skipped` entry.
 */
export function generateConfig(input: GenerateInput): GeneratedConfig {
  const {options} = input
  const {memo} = input
  const parsed = parseMarathonApps(input.marathon, memo?.apps)
  const merged = mergeDeploymentGroups(parsed.apps)
  const notices: {appId: string; message: string}[] = []
  const apps = merged.apps.filter((app) => {
    const own = options.frameworkName !== undefined && app.id.slice(1) === options.frameworkName
    if (own) notices.push({appId: app.id, message: 'left out: it is this load balancer (FRAMEWORK_NAME)'})
    return !own
  })
  const built = buildServices(apps, {
    strictMode: options.strictMode,
    healthCheck: options.healthCheck,
    hostIps: input.hostIps,
    healthMemory: input.healthMemory ?? new Map(),
    // spec §5.1: a fresh assigner per build keeps ports a pure function of the app list.
    assigner: options.servicePortRange === undefined ? undefined : createPortAssigner(options.servicePortRange),
    groups: options.groups,
  }, memo?.builds)
  const rendered = renderConfig(built.services, input.templates, options, memo?.drafts, memo?.joins)
  return {
    config: rendered.config,
    domainMap: options.haproxyMap ? rendered.domainMap : '',
    appMap: options.haproxyMap ? rendered.appMap : '',
    skipped: [
      ...parsed.problems.map((p) => ({appId: p.appId, reason: p.reason})),
      ...merged.problems,
      ...built.skipped,
      ...rendered.skipped,
    ],
    notices: [...notices, ...built.notices],
    healthObservations: {[Symbol.iterator]: () => pairs(built.healthObservations)},
    renderedAppIds: rendered.renderedAppIds,
  }
}

/** The (task id, alive) pairs of flat `lists`, in order, as they are read (a one-shot run never reads them). */
function* pairs(lists: readonly HealthObservations[]): Generator<readonly [string, boolean]> {
  for (const list of lists) {
    for (let i = 0; i < list.length; i += 2) yield [list[i] as string, list[i + 1] as boolean]
  }
}

/**
 * marathon-lb's defaults (spec §1.1) as GenerateOptions, serving every group (`*`), with
 * overrides: for tests, benchmarks and embedders that do not parse flags.
 */
export function generateOptions(overrides: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    groups: ['*'],
    strictMode: false,
    healthCheck: false,
    haproxyMap: false,
    dontBindHttpHttps: false,
    groupHttpsByVhost: false,
    sslCerts: ['/etc/ssl/cert.pem'],
    haproxyDir: '/marathon-lb/',
    servicePortRange: {min: 10050, max: 10100},
    frameworkName: undefined,
    ...overrides,
  }
}
