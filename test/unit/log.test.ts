import {describe, expect, it} from 'vitest'

import {createLogger, formatPython, parseLogLevel, type LogRecord} from '../../src/log.js'
import {redactSecrets, redactUrl} from '../../src/redact.js'

describe('log', () => {
  it('parses marathon-lb log levels case-insensitively and rejects others', () => {
    expect(parseLogLevel('info')).toBe('info')
    expect(parseLogLevel('WARNING')).toBe('warn')
    expect(parseLogLevel('CRITICAL')).toBe('error')
    expect(parseLogLevel('banana')).toBeUndefined()
  })

  it('formats Python logging format strings with width flags and fields', () => {
    const rec: LogRecord = {level: 'info', time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), name: 'mlb', msg: 'reloaded', fields: {ms: 12}}
    const line = formatPython('%(name)-6s|%(levelname)s|%(message)s', rec)
    expect(line).toBe('mlb   |INFO|reloaded ms=12')
  })

  it('filters by level and writes JSON lines on request', () => {
    const lines: string[] = []
    const log = createLogger({name: 'mlb', level: 'info', format: 'json', sinks: [(l) => lines.push(l)], now: () => 0})
    log.debug('hidden')
    log.child({appId: '/web'}).warn('excluded', {label: 'HAPROXY_0_AUTH'})
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({level: 'warn', msg: 'excluded', appId: '/web', label: 'HAPROXY_0_AUTH'})
  })
})

describe('redact', () => {
  it('removes credentials from URLs and text', () => {
    expect(redactUrl('http://user:pw@marathon:8080/v2')).toBe('http://marathon:8080/v2')
    expect(redactUrl('http://marathon:8080')).toBe('http://marathon:8080')
    expect(redactSecrets('login alice:s3cret failed', ['s3cret'])).toBe('login alice:*** failed')
  })
})
