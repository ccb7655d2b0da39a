/**
 * The built `mlb serve` daemon keeps running when the reader of its stderr goes away (a log
 * collector restarting): its next log line then meets a closed pipe (EPIPE), which used to end
 * the process and leave HAProxy orphaned. `--command true` stands in for HAProxy's reload here:
 * what is tested is the process surviving, and still stopping cleanly on SIGTERM.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, cleanEnv, missingBuild} from '../cli-run.js'
import {startFixtureServer} from '../fixture-server.js'
import {until} from '../wait.js'

const dir = mkdtempSync(join(tmpdir(), 'mlb-epipe-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe.skipIf(missingBuild() !== undefined)('mlb serve with a closed stderr', () => {
  it('keeps serving after EPIPE on stderr and still stops with exit 0 on SIGTERM', async () => {
    let child: ChildProcess | undefined
    const marathon = await startFixtureServer(JSON.stringify({apps: [{id: '/web', labels: {}, portDefinitions: [{port: 10001}], tasks: [{id: 'web.1', host: '127.0.0.1', ports: [31001], state: 'TASK_RUNNING'}]}]}))
    try {
      const args = [
        BIN, 'serve', '--marathon', marathon.url, '--group', '*', '--haproxy-config', join(dir, 'haproxy.cfg'), '--command', 'true', '--skip-validation',
        '--syslog-socket', '/dev/null', '--pid-file', join(dir, 'mlb.pid'), '--metrics-port', '0', '--poll-interval', '1', '--log-level', 'debug',
      ]
      child = spawn(process.execPath, args, {cwd: dir, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']})
      const c = child
      const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)))
      let seen = ''
      c.stderr!.on('data', (b: Buffer) => (seen += b.toString()))
      await until(() => seen.includes('mlb serve is running') || c.exitCode !== null, 20_000, 'daemon running')
      expect(c.exitCode, seen).toBeNull()
      // The read end closes; every poll (1 s) logs at debug level, so the next write meets EPIPE.
      c.stderr!.destroy()
      const polls = marathon.requests.length
      await until(() => marathon.requests.length >= polls + 3, 10_000, 'three more polls after the pipe closed')
      expect(c.exitCode).toBeNull()
      c.kill('SIGTERM')
      expect(await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))])).toBe(0)
    } finally {
      if (child !== undefined && child.exitCode === null) child.kill('SIGKILL')
      await marathon.close()
    }
  }, 60_000)
})
