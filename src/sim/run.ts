/**
 * `mlb marathon-sim` behind the command: reads the apps file, starts the simulator, prints its URL
 * as the first stdout line, and on SIGTERM/SIGINT stops it, which ends every task process.
 */
import {readFile} from 'node:fs/promises'

import {UsageError} from '../errors.js'
import type {Logger} from '../log.js'
import {ApiError} from './api-error.js'
import {startSimulator, type Simulator, type SimulatorOptions} from './simulator.js'

/** Options of {@link runMarathonSim}, from the command's flags. */
export interface MarathonSimArgs {
  readonly appsFile?: string
  readonly port: number
  readonly host: string
  readonly taskPorts: string
  readonly virtualTasks: boolean
  readonly basePath?: string
  readonly timeScale: number
  readonly heartbeatMs: number
  readonly credentials?: string
  readonly dcosUids: readonly string[]
  readonly version: string
}

/** Parses `LO-HI` (e.g. `31000-32000`). */
export function parsePortRange(text: string): {min: number; max: number} {
  const m = /^(\d+)-(\d+)$/.exec(text.trim())
  const min = Number(m?.[1])
  const max = Number(m?.[2])
  if (m === null || min < 1 || max > 65535 || min > max) throw new UsageError(`--task-ports must be LO-HI within 1-65535, got '${text}'`)
  return {min, max}
}

async function readApps(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read --apps file ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new UsageError(`--apps file ${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Builds the simulator options from the flags. */
export async function simulatorOptions(args: MarathonSimArgs, logger: Logger): Promise<SimulatorOptions> {
  if (!(args.timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got '${args.timeScale}'`)
  const [user, ...pw] = (args.credentials ?? '').split(':')
  const auth = {
    ...(args.credentials === undefined ? {} : {basic: {user: user ?? '', password: pw.join(':')}}),
    ...(args.dcosUids.length === 0 ? {} : {dcos: {uids: args.dcosUids}}),
  }
  return {
    ...(args.appsFile === undefined ? {} : {apps: await readApps(args.appsFile)}),
    ...(args.basePath === undefined ? {} : {basePath: args.basePath}),
    port: args.port, host: args.host, taskPorts: parsePortRange(args.taskPorts), virtualTasks: args.virtualTasks, timeScale: args.timeScale,
    heartbeatMs: args.heartbeatMs, version: args.version, auth, logger,
  }
}

/** Runs until SIGTERM/SIGINT. `print` writes one stdout line. */
export async function runMarathonSim(args: MarathonSimArgs, logger: Logger, print: (line: string) => Promise<void>): Promise<void> {
  let sim: Simulator
  try {
    sim = await startSimulator(await simulatorOptions(args, logger))
  } catch (err) {
    if (err instanceof ApiError) throw new UsageError(`invalid --apps file: ${JSON.stringify(err.body)}`)
    throw err
  }
  await print(sim.url)
  logger.info('marathon simulator listening', {url: sim.url, virtualTasks: args.virtualTasks})
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info('stopping marathon simulator', {signal})
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
      void sim.stop().then(resolve, resolve)
    }
    const onTerm = (): void => stop('SIGTERM')
    const onInt = (): void => stop('SIGINT')
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
  })
}
