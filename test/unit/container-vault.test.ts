import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {MlbError} from '../../src/errors.js'
import {fetchVaultCredentials, planVault, vaultCredentials, vaultUrl} from '../../src/serve/container-vault.js'
import type {ContainerNote} from '../../src/serve/container.js'

describe('vaultUrl and planVault (quirk §10.33 fixed)', () => {
  const table = [
    {desc: 'host, port and path', env: {VAULT_HOST: 'vault.local', VAULT_PORT: '8200', VAULT_PATH: '/v1/secret/mlb'}, expected: 'https://vault.local:8200/v1/secret/mlb'},
    {desc: 'host with scheme, path without slash', env: {VAULT_HOST: 'http://vault/', VAULT_PORT: '8200', VAULT_PATH: 'v1/secret/mlb'}, expected: 'http://vault:8200/v1/secret/mlb'},
    {desc: 'VAULT_URL wins', env: {VAULT_URL: 'https://v:1/v1/a', VAULT_HOST: 'x', VAULT_PORT: '2', VAULT_PATH: '/b'}, expected: 'https://v:1/v1/a'},
    {desc: 'nothing', env: {}, expected: undefined},
  ]
  for (const c of table) it(c.desc, () => expect(vaultUrl(c.env)).toBe(c.expected))

  it('refuses a token with an incomplete address, naming what is missing', () => {
    expect(() => planVault({VAULT_TOKEN: 't', VAULT_HOST: 'h'}, [])).toThrow('VAULT_TOKEN is set but VAULT_PORT, VAULT_PATH are not (or set VAULT_URL)')
    expect(() => planVault({VAULT_TOKEN: 't'}, [])).toThrow(MlbError)
    expect(() => planVault({VAULT_TOKEN: 't', VAULT_HOST: 'h', VAULT_PORT: 'x', VAULT_PATH: '/p'}, [])).toThrow('VAULT_PORT must be a port number')
  })

  it('ignores Vault variables without a token, with a warning', () => {
    const notes: ContainerNote[] = []
    expect(planVault({VAULT_HOST: 'h'}, notes)).toBeUndefined()
    expect(notes.map((n) => n.level)).toEqual(['warn'])
  })

  it('reads TLS settings', () => {
    expect(planVault({VAULT_TOKEN: 't', VAULT_URL: 'https://v/x', VAULT_CACERT: '/ca.pem', VAULT_SKIP_VERIFY: 'true'}, [])).toEqual({url: 'https://v/x', token: 't', caFile: '/ca.pem', skipVerify: true})
  })

  it('extracts KV v1 and v2 answers', () => {
    expect(vaultCredentials({data: {user: 'a', pass: 'b'}})).toEqual({user: 'a', pass: 'b'})
    expect(vaultCredentials({data: {data: {user: 'a', pass: 'b'}, metadata: {}}})).toEqual({user: 'a', pass: 'b'})
    expect(vaultCredentials({data: {user: 'a'}})).toBeUndefined()
    expect(vaultCredentials(null)).toBeUndefined()
  })
})

describe('fetchVaultCredentials', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((r) => server?.close(r) ?? r(undefined))
    server = undefined
  })

  async function serve(handler: (url: string, headers: IncomingHttpHeaders) => {status: number; body?: unknown; location?: string}): Promise<string> {
    server = createServer((req, res) => {
      const out = handler(req.url ?? '', req.headers)
      res.writeHead(out.status, {'content-type': 'application/json', ...(out.location === undefined ? {} : {location: out.location})})
      res.end(out.body === undefined ? '' : JSON.stringify(out.body))
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`
  }

  it('sends the token as X-Vault-Token, follows a redirect, reads data.user/data.pass', async () => {
    const seen: string[] = []
    const base = await serve((url, headers) => {
      seen.push(`${url} ${String(headers['x-vault-token'])}`)
      if (url === '/v1/secret/mlb') return {status: 307, location: '/v1/active/mlb'}
      return {status: 200, body: {data: {user: 'lb', pass: 'p:w d'}}}
    })
    const req = planVault({VAULT_TOKEN: 's.tok', VAULT_HOST: 'http://127.0.0.1', VAULT_PORT: new URL(base).port, VAULT_PATH: '/v1/secret/mlb'}, [])!
    expect(await fetchVaultCredentials(req)).toEqual({user: 'lb', password: 'p:w d', source: 'vault'})
    expect(seen).toEqual(['/v1/secret/mlb s.tok', '/v1/active/mlb s.tok'])
  })

  it('reports HTTP errors and missing fields without the token', async () => {
    const base = await serve((url) => (url === '/denied' ? {status: 403, body: {errors: ['permission denied']}} : {status: 200, body: {data: {}}}))
    const denied = await fetchVaultCredentials({url: `${base}/denied`, token: 'SECRET-TOKEN', caFile: undefined, skipVerify: false}).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    )
    expect(denied.message).toBe(`Vault answered HTTP 403 for ${base}/denied`)
    const empty = await fetchVaultCredentials({url: `${base}/empty`, token: 'SECRET-TOKEN', caFile: undefined, skipVerify: false}).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    )
    expect(empty.message).toContain('has no string data.user and data.pass')
    expect(`${denied.message} ${empty.message}`).not.toContain('SECRET-TOKEN')
  })

  it('reports an unreachable Vault', async () => {
    const base = await serve(() => ({status: 200}))
    await new Promise((r) => server!.close(r))
    server = undefined
    await expect(fetchVaultCredentials({url: `${base}/x`, token: 't', caFile: undefined, skipVerify: false})).rejects.toThrow(`cannot reach Vault at ${base}/x`)
  })
})
