/**
 * The process edge of the `mlb serve` daemon: logger sinks (stderr, `--syslog-socket`), the
 * container set-up of marathon-lb's run script (spec §2.1) when asked for, signals (SIGHUP
 * resync, SIGUSR1 reload, SIGTERM/SIGINT orderly stop, spec §6.6) and the wait until stopped.
 */
import {errorMessage} from '../errors.js'
import {createLogger, DEFAULT_LOG_FORMAT, stderrSink, type Logger} from '../log.js'
import type {ContainerSetup} from '../serve/container-apply.js'
import type {ServeOptions} from '../serve/options.js'
import type {ServeIo} from './serve-main.js'

/** True when `--container` is among the raw arguments or env MLB_CONTAINER asks for it. */
export function containerRequested(argv: readonly string[], env: ServeIo['env']): boolean {
  const v = env['MLB_CONTAINER']
  return argv.includes('--container') || (v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false')
}

/**
 * Performs the container set-up on the raw arguments (`sse|poll [flags]`) and returns the
 * arguments to parse and the default credentials (never put on a command line).
 */
export async function runContainerSetup(argv: readonly string[], io: ServeIo): Promise<ContainerSetup> {
  const [{planContainerSetup}, {applyContainerSetup}] = await Promise.all([import('../serve/container.js'), import('../serve/container-apply.js')])
  // Flags are parsed after the set-up (it rewrites them), so its few lines use the default format.
  const logger = createLogger({name: 'mlb', level: 'info', format: DEFAULT_LOG_FORMAT})
  const plan = planContainerSetup(io.env, argv.filter((a) => a !== '--container'))
  const setup = await applyContainerSetup(plan, {logger})
  // The rewritten arguments are parsed again: they still say container mode, which options
  // read (a half-set MARATHON_USER/MARATHON_PASSWORD is then the set-up's warning, not an error).
  return {...setup, argv: ['--container', ...setup.argv]}
}

/** Container credentials become the default `--auth-credentials` (a flag or credential file wins). */
export function withContainerAuth(options: ServeOptions, setup: ContainerSetup | undefined): ServeOptions {
  const a = setup?.auth
  if (a === undefined || options.auth.credentials !== undefined || options.auth.credentialFile !== undefined) return options
  return {...options, auth: {...options.auth, credentials: `${a.user}:${a.password}`}}
}

/** The daemon's logger; the syslog sink (and with it node:child_process) is loaded only here, not by `--dry`. */
async function daemonLogger(options: ServeOptions): Promise<{logger: Logger; close: () => Promise<void>}> {
  const {createSyslogSink} = await import('../log-syslog.js')
  const syslog = createSyslogSink({socket: options.syslogSocket, tag: 'mlb'})
  const sinks = syslog === undefined ? [stderrSink] : [stderrSink, syslog.write]
  const logger = createLogger({name: 'mlb', level: options.logLevel, format: options.logFormat, sinks})
  return {logger, close: async () => syslog?.close()}
}

/** Runs the daemon until SIGTERM or SIGINT; resolves after an orderly stop (exit 0). */
export async function runDaemon(options: ServeOptions, io: ServeIo): Promise<void> {
  // A log reader that goes away (a closed pipe) must not take the load balancer down with it,
  // leaving HAProxy orphaned: lines to stderr are then lost, and syslog still gets them.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreClosedPipe)
  const {logger, close} = await daemonLogger(options)
  const {startDaemon} = await import('../serve/daemon.js')
  const abort = new AbortController()
  let stopRequested: (() => void) | undefined
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve))
  const onStop = (sig: NodeJS.Signals): void => {
    logger.info(`received ${sig}, stopping`)
    abort.abort(new Error(`stopped by ${sig}`))
    stopRequested?.()
  }
  let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined
  const onHup = (): void => {
    logger.info('received SIGHUP, resyncing from Marathon')
    daemon?.resync('signal')
  }
  const onUsr1 = (): void => {
    logger.info('received SIGUSR1, validating and reloading the current configuration')
    daemon?.reload('signal')
  }
  process.on('SIGTERM', onStop).on('SIGINT', onStop).on('SIGHUP', onHup).on('SIGUSR1', onUsr1)
  try {
    daemon = await startDaemon({options, env: io.env, cwd: io.cwd, logger, signal: abort.signal}).catch((err: unknown) => {
      if (abort.signal.aborted) return undefined
      throw err
    })
    if (daemon !== undefined) {
      await stopped
      await daemon.stop()
    }
  } catch (err) {
    logger.error('mlb serve failed', {error: errorMessage(err)})
    throw err
  } finally {
    process.off('SIGTERM', onStop).off('SIGINT', onStop).off('SIGHUP', onHup).off('SIGUSR1', onUsr1)
    await close()
  }
}

/** Drops EPIPE (the reader is gone); any other stream error is thrown as before. */
function ignoreClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err
}
