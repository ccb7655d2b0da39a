/**
 * Stopping `mlb serve` while a Marathon request hangs: the request is aborted, so the stop does
 * not wait out the read timeout (46 s by default, 60 s here; a container runtime's stop timeout
 * is 10 s). Poll mode (`--poll-interval 1`), so the hung request is a resync.
 */
import {describe, expect, it} from 'vitest'

import {appsHandler, startFixtureServer} from '../fixture-server.js'
import {startTestDaemon, until} from '../daemon-harness.js'

const APPS = JSON.stringify({apps: [{id: '/web', labels: {}, portDefinitions: [{port: 10001}], tasks: [{id: 'web.1', host: '127.0.0.1', ports: [31001], state: 'TASK_RUNNING'}]}]})

describe('mlb serve daemon: stop with a hung Marathon', () => {
  it('aborts the request in flight instead of waiting for its read timeout', async () => {
    let hang = false
    const answer = appsHandler(APPS)
    const marathon = await startFixtureServer((req) => (hang ? {delayMs: 120_000, body: APPS} : answer(req)))
    const t = await startTestDaemon({marathon: [marathon.url], args: ['--poll-interval', '1'], config: {marathonReadTimeoutMs: 60_000}})
    try {
      hang = true
      const asked = marathon.requests.length
      await until(() => marathon.requests.length > asked, 10_000, 'a resync that hangs')
      const started = Date.now()
      const stopped = await Promise.race([t.stop().then(() => 'stopped'), new Promise<string>((r) => setTimeout(() => r('still waiting'), 20_000))])
      expect(stopped).toBe('stopped')
      console.log(`stopped ${Date.now() - started} ms after the stop began, with a Marathon request in flight`)
      // The aborted request is the stop's doing, not a failure to report.
      expect(t.logger.records.filter((r) => r.level === 'error' && /^\w+ failed/.test(r.msg)).map((r) => r.msg)).toEqual([])
      expect(t.logger.messages('info')).toContain('resync abandoned: stopping')
    } finally {
      await marathon.close()
    }
  }, 60_000)
})
