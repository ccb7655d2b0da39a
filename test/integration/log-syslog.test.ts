/**
 * The syslog sink against a real unix socket server (python3, since Node cannot bind unix datagram
 * sockets) and util-linux `logger`: datagram and stream sockets, priorities, text, restarts.
 */
import {spawn, spawnSync, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {createLogger, DEFAULT_LOG_FORMAT} from '../../src/log.js'
import {createSyslogSink, type SyslogSink} from '../../src/log-syslog.js'

// Prints each datagram (or each stream line) as a JSON string on stdout.
const RECEIVER = `
import json, socket, sys
path, kind = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if kind == 'dgram' else socket.SOCK_STREAM)
s.bind(path)
if kind == 'dgram':
    print('"ready"', flush=True)
    while True:
        print(json.dumps(s.recv(65536).decode('utf-8', 'replace')), flush=True)
else:
    s.listen(4)
    print('"ready"', flush=True)
    while True:
        c, _ = s.accept()
        for line in c.makefile('rb'):
            print(json.dumps(line.decode('utf-8', 'replace').rstrip('\\n')), flush=True)
`

interface Receiver {
  readonly proc: ChildProcessWithoutNullStreams
  readonly messages: string[]
}

function startReceiver(path: string, kind: 'dgram' | 'stream'): Promise<Receiver> {
  const proc = spawn('python3', ['-c', RECEIVER, path, kind])
  const messages: string[] = []
  return new Promise((resolve, reject) => {
    proc.on('error', reject)
    createInterface({input: proc.stdout}).on('line', (l) => {
      const msg = JSON.parse(l) as string
      if (msg === 'ready') resolve({proc, messages})
      else messages.push(msg)
    })
  })
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('syslog sink with logger and a unix socket', () => {
  let dir: string
  const receivers: Receiver[] = []
  let sink: SyslogSink | undefined

  beforeAll(() => {
    for (const [cmd, pkg] of [['python3', 'python3'], ['logger', 'bsdutils (util-linux)']] as const) {
      if (spawnSync(cmd, ['--version']).status !== 0) throw new Error(`${cmd} is needed: apt-get install -y ${pkg}`)
    }
  })
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-syslog-'))
  })
  afterEach(async () => {
    await sink?.close()
    sink = undefined
    for (const r of receivers.splice(0)) r.proc.kill()
    await rm(dir, {recursive: true, force: true})
  })

  for (const kind of ['dgram', 'stream'] as const) {
    it(`delivers each record with its priority over a ${kind} socket`, async () => {
      const path = join(dir, `log.${kind}`)
      const r = await startReceiver(path, kind)
      receivers.push(r)
      sink = createSyslogSink({socket: path, tag: 'marathon_lb'})!
      const log = createLogger({name: 'marathon_lb', level: 'debug', format: DEFAULT_LOG_FORMAT, sinks: [sink.write], now: () => Date.UTC(2026, 0, 2, 3, 4, 5)})
      log.debug('resync started')
      log.info('reloaded', {ms: 12})
      log.warn('excluded app', {appId: '/web'})
      log.error('validation failed:\nline 3')
      await until(() => r.messages.length === 4, 'four messages')
      const parsed = r.messages.map((m) => /^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) marathon_lb: (.*)$/.exec(m))
      expect(parsed.every((p) => p !== null)).toBe(true)
      expect(parsed.map((p) => Number(p![1]))).toEqual([15, 14, 12, 11])
      expect(parsed.map((p) => p![3]!.replace(/^\S+ \S+ /, ''))).toEqual([
        'marathon_lb: resync started',
        'marathon_lb: reloaded ms=12',
        'marathon_lb: excluded app appId=/web',
        'marathon_lb: validation failed: line 3',
      ])
    })
  }

  it('drops lines while the socket is missing and delivers once it appears', async () => {
    const path = join(dir, 'late.sock')
    sink = createSyslogSink({socket: path, tag: 'mlb'})!
    const log = createLogger({name: 'mlb', level: 'info', format: 'json', sinks: [sink.write]})
    log.info('lost')
    await new Promise((r) => setTimeout(r, 200))
    const r = await startReceiver(path, 'dgram')
    receivers.push(r)
    log.info('arrives')
    await until(() => r.messages.some((m) => m.includes('"msg":"arrives"')), 'the late message')
    expect(r.messages.some((m) => m.includes('"msg":"lost"'))).toBe(false)
    expect(sink.stats().running).toBe(true)
  })

  it('restarts logger when it is killed and keeps delivering', async () => {
    const path = join(dir, 'restart.sock')
    const r = await startReceiver(path, 'dgram')
    receivers.push(r)
    const problems: string[] = []
    sink = createSyslogSink({socket: path, tag: 'mlb', restartDelayMs: 50, onProblem: (m) => problems.push(m)})!
    const log = createLogger({name: 'mlb', level: 'info', format: 'json', sinks: [sink.write]})
    log.info('before')
    await until(() => r.messages.length === 1, 'first message')
    const firstPid = sink.stats().pid!
    process.kill(firstPid, 'SIGKILL')
    await until(() => sink!.stats().restarts === 1 && sink!.stats().pid !== undefined, 'restart')
    expect(sink.stats().pid).not.toBe(firstPid)
    log.error('after')
    await until(() => r.messages.length === 2, 'second message')
    expect(r.messages[1]).toMatch(/^<11>.*"msg":"after"/)
    expect(problems).toEqual(['logger exited (SIGKILL); restarting'])
  })
})
