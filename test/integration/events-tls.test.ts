import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {systemClock} from '../../src/clock.js'
import {MlbError} from '../../src/errors.js'
import {MemoryLogger} from '../../src/log.js'
import {EventStream} from '../../src/marathon/events.js'
import {startSseServer, waitFor, type SseServer} from '../sse-server.js'

let dir = ''
const cleanup: Array<() => Promise<void>> = []

/** A self-signed certificate for 127.0.0.1 (openssl must be installed: `apt-get install -y openssl`). */
function selfSigned(name: string): {key: string; cert: string; certPath: string} {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.pem`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
  return {key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), certPath: cert}
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlb-events-tls-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

function stream(url: string, caCertPath?: string) {
  const connects: string[] = []
  const reasons: string[] = []
  const s = new EventStream(
    {urls: [url], clock: systemClock, logger: new MemoryLogger(), connectTimeoutMs: 1_000, backoff: {initialMs: 100, factor: 2, maxMs: 400, stableMs: 60_000}, ...(caCertPath === undefined ? {} : {caCertPath})},
    {onEvent: () => {}, onConnect: (u) => connects.push(u), onDisconnect: (_u, reason) => reasons.push(reason)},
  )
  s.start()
  cleanup.push(() => s.stop())
  return {connects, reasons}
}

describe('EventStream over TLS', () => {
  let server: SseServer
  let ca: string
  beforeAll(async () => {
    const tls = selfSigned('server')
    ca = tls.certPath
    server = await startSseServer({heartbeatMs: 50, tls})
  })
  afterAll(() => server.close())

  it('does not verify without --marathon-ca-cert, as marathon-lb', async () => {
    const r = stream(server.url)
    await waitFor(() => r.connects.length === 1, 5_000, 'TLS connect')
  })

  it('verifies against --marathon-ca-cert', async () => {
    const r = stream(server.url, ca)
    await waitFor(() => r.connects.length === 1, 5_000, 'verified TLS connect')
  })

  it('refuses a server the CA did not sign, and keeps retrying', async () => {
    const other = selfSigned('other')
    const r = stream(server.url, other.certPath)
    await waitFor(() => r.reasons.length >= 2, 5_000, 'two refused attempts')
    expect(r.connects).toEqual([])
    expect(r.reasons[0]).toMatch(/certificate|self.signed|verify/i)
  })

  it('names an unreadable CA file in a typed error', () => {
    expect(() => stream(server.url, join(dir, 'missing.pem'))).toThrow(MlbError)
  })
})
