import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createLogger, type LogRecord} from '../../src/log.js'
import {createSyslogSink, loggerArgs, mayRestart, syslogLine, syslogPriority, SYSLOG_DISABLED} from '../../src/log-syslog.js'
import {FakeClock, settle} from '../watch-fake-clock.js'

const rec = (level: LogRecord['level']): LogRecord => ({level, time: 0, name: 'mlb', msg: 'm', fields: {}})

describe('syslog encoding', () => {
  const table = [
    {desc: 'debug is user.debug', level: 'debug', expected: 15},
    {desc: 'info is user.info', level: 'info', expected: 14},
    {desc: 'warn is user.warning', level: 'warn', expected: 12},
    {desc: 'error is user.err', level: 'error', expected: 11},
  ] as const
  for (const c of table) it(c.desc, () => expect(syslogPriority(c.level)).toBe(c.expected))

  it('uses another facility on request', () => {
    expect(syslogPriority('info', 16)).toBe(134)
  })

  it('keeps one record on one line, prefixed with its priority', () => {
    expect(syslogLine('reload failed:\nline 3: bad\r\n', 'error')).toBe('<11>reload failed: line 3: bad \n')
    expect(syslogLine('<14>not a prefix', 'debug')).toBe('<15><14>not a prefix\n')
  })

  it('puts no message on the command line', () => {
    expect(loggerArgs('/dev/log', 'mlb', 8192)).toEqual(['-u', '/dev/log', '--socket-errors=off', '--prio-prefix', '-t', 'mlb', '--size', '8192'])
  })

  it('bounds restarts within a window', () => {
    expect(mayRestart([0, 1, 2], 3, 3, 100)).toBe(true)
    expect(mayRestart([0, 1, 2, 3], 3, 3, 100)).toBe(false)
    expect(mayRestart([0, 1, 2, 300], 300, 3, 100)).toBe(true)
  })

  it('is disabled by /dev/null', () => {
    expect(createSyslogSink({socket: SYSLOG_DISABLED, tag: 'mlb'})).toBeUndefined()
  })
})

describe('createSyslogSink child supervision', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-syslog-unit-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await cond()) return
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error(`timed out waiting for ${what}`)
  }

  it('restarts a dying child a bounded number of times, then gives up without throwing', async () => {
    // A stand-in for logger that records its start and dies at once.
    const script = join(dir, 'dying-logger')
    await writeFile(script, `#!/bin/sh\necho start >> "${join(dir, 'starts')}"\nexit 3\n`)
    await chmod(script, 0o755)
    const clock = new FakeClock()
    const problems: string[] = []
    const sink = createSyslogSink({socket: join(dir, 'sock'), tag: 'mlb', command: script, clock, maxRestarts: 2, restartWindowMs: 60_000, restartDelayMs: 1000, onProblem: (m) => problems.push(m)})!
    const starts = async (): Promise<number> => (await readFile(join(dir, 'starts'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length
    for (let n = 1; n <= 3; n++) {
      await until(async () => (await starts()) === n && problems.length === n, `start ${n}`)
      sink.write('x', rec('info'))
      await clock.advance(1000)
      await settle()
    }
    await until(() => problems.length === 3, 'giving up')
    expect(problems.slice(0, 2).every((p) => p.endsWith('exited (3); restarting'))).toBe(true)
    expect(problems[2]).toContain('giving up on syslog logging')
    expect(await starts()).toBe(3)
    expect(sink.stats()).toMatchObject({restarts: 2, running: false})
    expect(clock.pendingTimers).toBe(0)
    // Lines written while nothing runs are counted, not thrown.
    const log = createLogger({name: 'mlb', level: 'debug', format: 'json', sinks: [sink.write]})
    log.error('still fine')
    expect(sink.stats().dropped).toBeGreaterThan(0)
    await sink.close()
  })

  it('survives a program that does not exist', async () => {
    const problems: string[] = []
    const sink = createSyslogSink({socket: join(dir, 'sock'), tag: 'mlb', command: join(dir, 'no-such-logger'), maxRestarts: 0, onProblem: (m) => problems.push(m)})!
    sink.write('x', rec('info'))
    await until(() => problems.length === 1, 'spawn failure')
    expect(problems[0]).toContain('ENOENT')
    await sink.close()
  })
})
