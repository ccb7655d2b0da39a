/**
 * TLS to Marathon (spec §1.2): `--marathon-ca-cert` verifies; without it marathon-lb disables
 * verification, which mlb keeps while warning once per process. Needs openssl for the
 * self-signed certificates (`apt-get install -y openssl`).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {MarathonError} from '../../src/errors.js'
import {MemoryLogger} from '../../src/log.js'
import {MarathonClient} from '../../src/marathon/client.js'
import {startTlsMarathon, type TlsMarathon} from '../tls-marathon.js'

const dir = mkdtempSync(join(tmpdir(), 'mlb-tls-'))

let marathon: TlsMarathon
let url = ''
let good = ''
let wrong = ''

beforeAll(async () => {
  marathon = await startTlsMarathon(dir)
  ;({url, goodCa: good, wrongCa: wrong} = marathon)
})

afterAll(async () => {
  await marathon.close()
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
