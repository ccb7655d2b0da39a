/**
 * TLS to Marathon (spec §1.2): `--marathon-ca-cert` verifies; without it marathon-lb disables
 * verification, which mlb keeps while warning once per process. Needs openssl for the
 * self-signed certificates (`apt-get install -y openssl`).
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {MarathonError} from '../../src/errors.js'
import {MemoryLogger} from '../../src/log.js'
import {MarathonClient} from '../../src/marathon/client.js'

const dir = mkdtempSync(join(tmpdir(), 'mlb-tls-'))

function selfSigned(name: string): {key: string; cert: string; certPath: string} {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.pem`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
  return {key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), certPath: cert}
}

let server: Server
let url = ''
let good = ''
let wrong = ''

beforeAll(async () => {
  const tls = selfSigned('marathon')
  good = tls.certPath
  wrong = selfSigned('other').certPath
  server = createServer({key: tls.key, cert: tls.cert}, (_req, res) => {
    res.writeHead(200, {'content-type': 'application/json'})
    res.end('{"apps": []}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, {recursive: true, force: true})
})

async function getApps(opts: {caCertPath?: string; logger?: MemoryLogger}): Promise<unknown> {
  const client = new MarathonClient({urls: [url], ...opts})
  try {
    return await client.getApps()
  } finally {
    await client.close()
  }
}

describe('Marathon over TLS', () => {
  it('does not verify without --marathon-ca-cert (as marathon-lb) and warns once per process', async () => {
    const log = new MemoryLogger()
    expect(await getApps({logger: log})).toEqual({apps: []})
    expect(await getApps({logger: log})).toEqual({apps: []})
    expect(log.messages('warn')).toEqual(['TLS certificates of Marathon are not verified (as marathon-lb); pass --marathon-ca-cert to verify them'])
  })

  it('verifies against --marathon-ca-cert', async () => {
    expect(await getApps({caCertPath: good})).toEqual({apps: []})
    const err = await getApps({caCertPath: wrong}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MarathonError)
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach Marathon: ${url}: .*(certificate|self.signed|verify)`, 'i'))
  })

  it('names an unreadable CA file', () => {
    expect(() => new MarathonClient({urls: [url], caCertPath: join(dir, 'missing.pem')})).toThrow(`cannot read --marathon-ca-cert ${join(dir, 'missing.pem')}: ENOENT`)
  })
})
