/**
 * `mlb serve` behind its thin oclif command: parse argparse-style (spec §1), then `-h`,
 * `--longhelp`, or build the edges (logger, templates, auth, Marathon client, resolver) and run
 * `--dry` once; without `--dry`, the daemon (serve-daemon.ts). Heavy modules are imported only on the path that needs them, so `-h` and
 * `--longhelp` stay fast.
 */
import {createLogger} from '../log.js'
import {applyV8Flags, ONE_SHOT_V8_FLAGS} from '../v8-flags.js'
import {serveOptionsFrom, type ServeOptions} from '../serve/options.js'
import {parseArgs, type ParsedArgs} from './argparse.js'
import {formatHelp} from './argparse-help.js'
import {SERVE_DESCRIPTION, SERVE_FLAGS, SERVE_PROG} from './serve-flags.js'

/** The process around `mlb serve`, passed in so the command stays testable. */
export interface ServeIo {
  readonly argv: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Writes to stdout; resolves once the text is handed to the OS. */
  readonly stdout: (text: string) => Promise<void>
  /** Hides the command line from `ps` (called when it carries credentials). */
  readonly hideArgv?: () => void
}

/** Flags whose values are secrets: their presence on the command line makes mlb hide its argv. */
const SECRET_FLAGS = ['auth-credentials', 'dcos-auth-credentials']

/**
 * How a run of `mlb serve` ended: `printed` after a one-shot (`-h`, `--longhelp`, `--dry`) whose
 * output is written and whose connections are closed, `stopped` after the daemon has stopped.
 */
export type ServeEnd = 'printed' | 'stopped'

/** Runs `mlb serve`; throws MlbError subclasses for every expected failure. */
export async function runServe(io: ServeIo): Promise<ServeEnd> {
  const parsed = parseArgs(SERVE_FLAGS, io.argv)
  if (parsed.help) {
    await io.stdout(formatHelp(SERVE_PROG, SERVE_DESCRIPTION, SERVE_FLAGS))
    return 'printed'
  }
  if (parsed.values.get('longhelp') === true) {
    const {longhelpText} = await import('./longhelp-data.js')
    await io.stdout(longhelpText())
    return 'printed'
  }
  hideSecrets(parsed, io)
  const daemon = await import('./serve-daemon.js')
  // The container set-up rewrites the arguments (mode, --ssl-certs, …) as run did (spec §2.1).
  const setup = daemon.containerRequested(io.argv, io.env) ? await daemon.runContainerSetup(io.argv, io) : undefined
  const options = daemon.withContainerAuth(serveOptionsFrom(setup === undefined ? parsed : parseArgs(SERVE_FLAGS, setup.argv), io.env), setup)
  if (options.dry) {
    await runOnce(options, io)
    return 'printed'
  }
  await daemon.runDaemon(options, io)
  return 'stopped'
}

function hideSecrets(parsed: ParsedArgs, io: ServeIo): void {
  const urls = parsed.values.get('marathon')
  // `http://user:pass@host` in --marathon is a credential too; any `@` counts, since a password
  // may itself hold the characters a stricter pattern would stop at.
  const urlSecret = Array.isArray(urls) && (urls as readonly string[]).some((u) => u.includes('@'))
  if (urlSecret || SECRET_FLAGS.some((f) => parsed.values.has(f))) io.hideArgv?.()
}

async function runOnce(options: ServeOptions, io: ServeIo): Promise<void> {
  applyV8Flags(ONE_SHOT_V8_FLAGS)
  const logger = createLogger({name: 'mlb', level: options.logLevel, format: options.logFormat})
  const [{authFromFlags}, {MarathonClient}] = await Promise.all([import('../marathon/auth.js'), import('../marathon/client.js')])
  // Credentials are checked before anything else (spec §1.2: exit 1 at start-up).
  const auth = await authFromFlags(options.auth, {caCertPath: options.caCertPath, logger})
  const client = new MarathonClient({urls: options.marathonUrls, auth, caCertPath: options.caCertPath, logger})
  let settled = false
  try {
    // Ask Marathon first: its answer streams in while the templates compile (both take ~100 ms
    // at 5,000 apps). A template error still wins, since it is awaited first.
    const apps = client.getApps({lbFieldsOnly: true})
    // handled when awaited below; this only avoids an unhandled rejection meanwhile
    apps.then(
      () => (settled = true),
      () => (settled = true),
    )
    const [{loadTemplateSet}, {HostResolver, systemLookup}, {hostsToResolve}, {generateConfig}] = await Promise.all([
      import('../templates/load.js'),
      import('../marathon/dns.js'),
      import('../serve/hosts.js'),
      import('../generate.js'),
    ])
    const templates = loadTemplateSet({env: io.env, cwd: io.cwd})
    const deps = {
      marathon: {getApps: () => apps},
      resolver: new HostResolver(options.lruCacheCapacity, systemLookup, logger),
      hostsOf: hostsToResolve,
      templates,
      options: options.generate,
      logger,
      generate: generateConfig,
    }
    const {runDry} = await import('../serve/dry.js')
    await runDry({...deps, write: io.stdout})
  } finally {
    // A failure before Marathon answered (e.g. a refused template) must not wait up to 46 s.
    await (settled ? client.close() : client.destroy())
  }
}
