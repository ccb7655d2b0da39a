import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {createLogger} from '../src/log.js'

/**
 * `mlb marathon-sim`: a local stand-in for Marathon 1.5–1.9 (docs/simulator.md). The first stdout
 * line is the URL it listens on; tasks are real loopback processes unless --virtual-tasks.
 */
export default class MarathonSim extends BaseCommand {
  static override summary = 'Run a simulated Marathon (REST API, event stream, real tasks) on loopback'
  static override description = 'Prints the URL it listens on as its first line, then serves until SIGTERM or SIGINT, which also stop every task process.'
  static override flags = {
    apps: Flags.string({summary: 'Initial state: a JSON file in the format of GET /v2/apps ({"apps":[...]})'}),
    port: Flags.integer({summary: 'Port to listen on (0: a free port)', default: 8080, min: 0, max: 65535}),
    host: Flags.string({summary: 'Address to listen on', default: '127.0.0.1'}),
    'task-ports': Flags.string({summary: 'Host-port range for tasks, LO-HI', default: '31000-32000'}),
    'virtual-tasks': Flags.boolean({summary: 'Tasks are records only: no processes (large states)', default: false}),
    'base-path': Flags.string({summary: 'Also serve the API under this path prefix (e.g. /marathon)'}),
    'time-scale': Flags.string({summary: 'Multiply the seconds apps declare (health checks, grace periods) by this', default: '1'}),
    'heartbeat-ms': Flags.integer({summary: 'Event-stream heartbeat period', default: 10_000, min: 1}),
    credentials: Flags.string({summary: 'Require HTTP basic auth user:password', env: 'MESOSPHERE_HTTP_CREDENTIALS'}),
    'dcos-uid': Flags.string({summary: 'Serve DC/OS login and token auth for this service account uid', multiple: true}),
    'marathon-version': Flags.string({summary: 'Version reported by /v2/info (1.8+ uses instance-style task ids)', default: '1.9.109'}),
    'log-level': Flags.string({summary: 'debug, info, warn or error', default: 'info', options: ['debug', 'info', 'warn', 'error']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(MarathonSim)
    const {runMarathonSim} = await import('../src/sim/run.js')
    const logger = createLogger({name: 'marathon-sim', level: flags['log-level'] as 'info', format: '%(asctime)-15s %(name)s: %(message)s'})
    await runMarathonSim(
      {
        port: flags.port, host: flags.host, taskPorts: flags['task-ports'], virtualTasks: flags['virtual-tasks'], timeScale: Number(flags['time-scale']),
        heartbeatMs: flags['heartbeat-ms'], dcosUids: flags['dcos-uid'] ?? [], version: flags['marathon-version'],
        ...(flags.apps === undefined ? {} : {appsFile: flags.apps}),
        ...(flags['base-path'] === undefined ? {} : {basePath: flags['base-path']}),
        ...(flags.credentials === undefined ? {} : {credentials: flags.credentials}),
      },
      logger,
      (line) => new Promise<void>((resolve, reject) => process.stdout.write(`${line}\n`, (err) => (err ? reject(err) : resolve()))),
    )
  }
}
