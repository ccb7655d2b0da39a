/**
 * Runtime-API fast path, pure part (users-and-peers §3 idea 1; docs/haproxy.md "Task churn
 * without a reload"): compares the running configuration with a new one and says whether the
 * difference can be applied through the stats socket (servers added, removed or toggled
 * ` disabled` in existing backends) or needs a reload. Any doubt is a reload: the generated file
 * stays the source of truth, the runtime commands only make the running worker match it sooner.
 */

/** One `server` line of a backend, split into what `add server` needs. */
export interface ServerLine {
  readonly backend: string
  readonly name: string
  readonly address: string
  /** Keywords after the address, without ` disabled` and without a trailing comment. */
  readonly keywords: readonly string[]
  readonly disabled: boolean
  readonly check: boolean
}

/** What to do on the running worker, in this order: removals, toggles, additions. */
export interface RuntimePlan {
  readonly remove: readonly ServerLine[]
  /** Servers whose ` disabled` flag flipped (the line carries the new value). */
  readonly toggle: readonly ServerLine[]
  readonly add: readonly ServerLine[]
}

/** The verdict of {@link diffConfigs}. */
export type RuntimeDiff = {readonly kind: 'runtime'; readonly plan: RuntimePlan} | {readonly kind: 'reload'; readonly reason: string}

/**
 * Keywords HAProxy 2.6.12 accepts on `add server` (verified on the binary), with their argument
 * count. `cookie` is refused there ("not accepted for dynamic server"), `ssl` and `resolvers`
 * are left out on purpose: anything not listed means a reload.
 */
const DYNAMIC_KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['id', 1], ['check', 0], ['inter', 1], ['fastinter', 1], ['downinter', 1], ['fall', 1], ['rise', 1], ['port', 1],
  ['weight', 1], ['maxconn', 1], ['send-proxy', 0], ['send-proxy-v2', 0],
])

/** `add server` refuses backends whose algorithm is not dynamic ("must use a dynamic load balancing"). */
const DYNAMIC_BALANCE = new Set(['roundrobin', 'leastconn', 'random'])

const SERVER_RE = /^\s+server\s+(\S+)\s+(\S+)(.*)$/
const ADDRESS_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}|abns@\S+)$/

interface Parsed {
  /** Every line but the servers of backends, in order: must be equal for a runtime apply. */
  readonly skeleton: string
  /** Backend name → server name → raw line. */
  readonly servers: ReadonlyMap<string, ReadonlyMap<string, string>>
  /** Backends whose `balance` cannot take dynamic servers. */
  readonly staticBalance: ReadonlySet<string>
  readonly hasDefaultServer: boolean
}

function parseConfig(text: string): Parsed {
  const skeleton: string[] = []
  const servers = new Map<string, Map<string, string>>()
  const staticBalance = new Set<string>()
  let backend: string | undefined
  let hasDefaultServer = false
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      const m = /^backend\s+(\S+)/.exec(line)
      backend = m?.[1]
      if (backend !== undefined && !servers.has(backend)) servers.set(backend, new Map())
    }
    const trimmed = line.trim()
    if (trimmed.startsWith('default-server')) hasDefaultServer = true
    const balance = /^balance\s+(\S+)/.exec(trimmed)
    if (backend !== undefined && balance !== null && !DYNAMIC_BALANCE.has(balance[1]!)) staticBalance.add(backend)
    const s = backend === undefined ? null : SERVER_RE.exec(line)
    if (backend !== undefined && s !== null) {
      const own = servers.get(backend)!
      // Two lines of one name are a config HAProxy refuses anyway: keep them in the skeleton.
      if (!own.has(s[1]!)) {
        own.set(s[1]!, line)
        continue
      }
    }
    skeleton.push(line)
  }
  return {skeleton: skeleton.join('\n'), servers, staticBalance, hasDefaultServer}
}

/** Splits one server line; undefined when `add server` cannot express it. */
export function parseServerLine(backend: string, line: string): ServerLine | undefined {
  const m = SERVER_RE.exec(line)
  if (m === null || !ADDRESS_RE.test(m[2]!)) return undefined
  const words = m[3]!.replace(/\s#.*$/, '').trim().split(/\s+/).filter((w) => w !== '')
  const keywords: string[] = []
  let disabled = false
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (w === 'disabled') {
      disabled = true
      continue
    }
    const args = DYNAMIC_KEYWORDS.get(w)
    if (args === undefined || i + args >= words.length) return undefined
    keywords.push(...words.slice(i, i + args + 1))
    i += args
  }
  return {backend, name: m[1]!, address: m[2]!, keywords, disabled, check: keywords.includes('check')}
}

/** Whether two server lines differ only in their ` disabled` flag. */
function isToggle(a: ServerLine, b: ServerLine): boolean {
  return a.address === b.address && a.keywords.join(' ') === b.keywords.join(' ') && a.disabled !== b.disabled
}

const reload = (reason: string): RuntimeDiff => ({kind: 'reload', reason})

/** The first line that differs, for the log line that says why a reload was needed. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n')
  const y = b.split('\n')
  const i = x.findIndex((line, k) => line !== y[k])
  const at = i === -1 ? x.length : i
  return `first at ${JSON.stringify((y[at] ?? x[at] ?? '').trim().slice(0, 80))}`
}

/**
 * `runtime` with the commands' plan when `next` differs from `running` only in server lines of
 * existing backends that `add server` can express; otherwise `reload` with the reason.
 */
export function diffConfigs(running: string, next: string): RuntimeDiff {
  if (running === next) return {kind: 'runtime', plan: {remove: [], toggle: [], add: []}}
  const a = parseConfig(running)
  const b = parseConfig(next)
  if (a.skeleton !== b.skeleton) return reload(`more than server lines changed (${firstDifference(a.skeleton, b.skeleton)})`)
  // Dynamic servers ignore default-server settings (HAProxy 2.6): they would differ from the file.
  if (b.hasDefaultServer) return reload('default-server present')
  const remove: ServerLine[] = []
  const toggle: ServerLine[] = []
  const add: ServerLine[] = []
  for (const [backend, newServers] of b.servers) {
    const oldServers = a.servers.get(backend) ?? new Map<string, string>()
    let changed = false
    for (const [name, line] of newServers) {
      const before = oldServers.get(name)
      if (before === line) continue
      changed = true
      const s = parseServerLine(backend, line)
      if (s === undefined) return reload(`server ${backend}/${name} cannot be added at runtime`)
      if (before === undefined) {
        add.push(s)
        continue
      }
      const old = parseServerLine(backend, before)
      if (old === undefined || !isToggle(old, s)) return reload(`server ${backend}/${name} changed`)
      toggle.push(s)
    }
    for (const [name, line] of oldServers) {
      if (newServers.has(name)) continue
      changed = true
      remove.push(parseServerLine(backend, line) ?? {backend, name, address: '', keywords: [], disabled: false, check: false})
    }
    if (changed && b.staticBalance.has(backend)) return reload(`backend ${backend} has a static balance algorithm`)
  }
  return {kind: 'runtime', plan: {remove, toggle, add}}
}

/** The runtime API commands of one added server, in order (dynamic servers start in maintenance). */
export function addCommands(s: ServerLine): string[] {
  const cmds = [`add server ${s.backend}/${s.name} ${[s.address, ...s.keywords].join(' ')}`]
  if (s.check) cmds.push(`enable health ${s.backend}/${s.name}`)
  if (!s.disabled) cmds.push(`enable server ${s.backend}/${s.name}`)
  return cmds
}

/** The command that applies a ` disabled` toggle. */
export function toggleCommand(s: ServerLine): string {
  return `set server ${s.backend}/${s.name} state ${s.disabled ? 'maint' : 'ready'}`
}
