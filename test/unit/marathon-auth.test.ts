import {createPublicKey, generateKeyPairSync, verify, type KeyObject} from 'node:crypto'

import {afterEach, describe, expect, it} from 'vitest'

import type {Clock} from '../../src/clock.js'
import {AuthError} from '../../src/errors.js'
import {
  authFromFlags,
  BasicAuth,
  cookieValue,
  CREDENTIALS_FORMAT_MESSAGE,
  parseDcosCredentials,
  signRs256Jwt,
} from '../../src/marathon/auth.js'
import {startFixtureServer, type FixtureServer} from '../fixture-server.js'

/** A clock whose time only moves when the test says so. */
function manualClock(startMs: number): Clock & {advance(ms: number): void} {
  let t = startMs
  return {
    now: () => t,
    monotonic: () => t,
    sleep: () => Promise.resolve(),
    timer: () => ({cancel: () => {}}),
    advance: (ms) => {
      t += ms
    },
  }
}

const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
const PEM = privateKey.export({type: 'pkcs8', format: 'pem'}) as string

function verifyJwt(token: string, key: KeyObject): Record<string, unknown> {
  const [h, p, s] = token.split('.')
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))
  if (!ok) throw new Error('bad signature')
  expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({alg: 'RS256', typ: 'JWT'})
  return JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>
}

async function authError(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AuthError)
  expect((err as AuthError).exit).toBe(1)
  return err as AuthError
}

const none = {credentialFile: undefined, credentials: undefined, dcosCredentials: undefined}

describe('basic auth (spec §1.2)', () => {
  it('sends a preemptive Basic header', async () => {
    const auth = BasicAuth.fromPair('alice:s3cret')
    expect(await auth.header()).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`)
    expect(auth.secrets()).toContain('s3cret')
  })

  for (const bad of ['alice', 'alice:pa:ss', '::']) {
    it(`refuses ${JSON.stringify(bad)} with marathon-lb's message`, async () => {
      const err = await authError(authFromFlags({...none, credentials: bad}))
      expect(err.message).toBe(CREDENTIALS_FORMAT_MESSAGE)
    })
  }

  it('prefers the credential file, then --auth-credentials, then DC/OS', async () => {
    const files: Record<string, string> = {'/c': 'filed:pw\r\nignored:line\n', '/empty': '\nuser:pass\n'}
    const readFile = (p: string): string => {
      const text = files[p]
      if (text === undefined) throw Object.assign(new Error('nope'), {code: 'ENOENT'})
      return text
    }
    const both = {credentialFile: '/c', credentials: 'flag:pw', dcosCredentials: '{"not":"used"}'}
    expect(await (await authFromFlags(both, {readFile}))!.header()).toBe(`Basic ${Buffer.from('filed:pw').toString('base64')}`)
    // An empty first line means "no auth", without falling back to the other forms.
    expect(await authFromFlags({...both, credentialFile: '/empty'}, {readFile})).toBeUndefined()
    expect(await (await authFromFlags({...both, credentialFile: undefined}, {readFile}))!.header()).toBe(
      `Basic ${Buffer.from('flag:pw').toString('base64')}`,
    )
    expect(await authFromFlags(none)).toBeUndefined()
    const err = await authError(authFromFlags({...none, credentialFile: '/missing'}, {readFile}))
    expect(err.message).toBe('cannot read --marathon-auth-credential-file /missing: ENOENT')
  })
})

describe('DC/OS service-account credentials', () => {
  it('never echoes the secret when it is malformed', async () => {
    const secret = '{"uid": "lb", "private_key": "-----BEGIN nonsense'
    const err = await authError(authFromFlags({...none, dcosCredentials: secret}))
    expect(err.message).toBe('--dcos-auth-credentials (DCOS_SERVICE_ACCOUNT_CREDENTIAL) is not valid JSON')
    expect(() => parseDcosCredentials(JSON.stringify({uid: 'lb', private_key: PEM}))).toThrow('lack the string field "login_endpoint"')
    expect(() => parseDcosCredentials(JSON.stringify({uid: 'lb', private_key: 'xyz', login_endpoint: 'http://x'}))).toThrow(
      'private_key is not a valid PEM private key',
    )
  })

  it('signs RS256 JWTs that verify with the public key', () => {
    const jwt = signRs256Jwt({uid: 'lb', exp: 60}, parseDcosCredentials(JSON.stringify({uid: 'lb', private_key: PEM, login_endpoint: 'http://x'})).privateKey)
    expect(verifyJwt(jwt, createPublicKey(publicKey.export({type: 'spki', format: 'pem'})))).toEqual({uid: 'lb', exp: 60})
  })

  it('reads the auth cookie among several set-cookie headers', () => {
    expect(cookieValue(['a=1; Path=/', 'dcos-acs-auth-cookie=tok.en; HttpOnly'], 'dcos-acs-auth-cookie')).toBe('tok.en')
    expect(cookieValue('other=1', 'dcos-acs-auth-cookie')).toBeUndefined()
  })
})

describe('DC/OS login flow against a local login endpoint', () => {
  let server: FixtureServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('logs in with a verified login JWT, sends token=<cookie>, and refreshes 10 s before expiry', async () => {
    let issued = 0
    server = await startFixtureServer((req) => {
      const body = JSON.parse(req.body) as {uid: string; token: string; exp: number}
      const claims = verifyJwt(body.token, publicKey)
      expect(claims['uid']).toBe('marathon-lb')
      issued++
      return {status: 200, body: JSON.stringify({token: `auth-${issued}`}), headers: {'set-cookie': [`dcos-acs-auth-cookie=auth-${issued}; Path=/`]}}
    })
    const clock = manualClock(1_700_000_000_000)
    const creds = JSON.stringify({scheme: 'RS256', uid: 'marathon-lb', private_key: PEM, login_endpoint: `${server.url}/acs/api/v1/auth/login`})
    const auth = (await authFromFlags({...none, dcosCredentials: creds}, {clock}))!
    try {
      const [a, b] = await Promise.all([auth.header(), auth.header()])
      expect([a, b]).toEqual(['token=auth-1', 'token=auth-1']) // one login for concurrent callers
      const login = JSON.parse(server.requests[0]!.body) as {uid: string; token: string; exp: number}
      const now = 1_700_000_000
      expect(login.uid).toBe('marathon-lb')
      expect(login.exp).toBe(now + 3600)
      expect(verifyJwt(login.token, publicKey)).toEqual({uid: 'marathon-lb', exp: now + 60})
      expect(server.requests[0]!.method).toBe('POST')
      expect(server.requests[0]!.url).toBe('/acs/api/v1/auth/login')

      clock.advance((3600 - 11) * 1000)
      expect(await auth.header()).toBe('token=auth-1')
      clock.advance(1000)
      expect(await auth.header()).toBe('token=auth-2')
      expect(server.requests).toHaveLength(2)
      auth.invalidate()
      expect(await auth.header()).toBe('token=auth-3')
    } finally {
      await auth.close()
    }
  })

  it('reports a rejected login with the status and message, without the key', async () => {
    server = await startFixtureServer(() => ({status: 401, body: JSON.stringify({message: 'Invalid uid or token.'})}))
    const creds = JSON.stringify({uid: 'lb', private_key: PEM, login_endpoint: `${server.url}/acs/api/v1/auth/login`})
    const auth = (await authFromFlags({...none, dcosCredentials: creds}))!
    try {
      const err = await authError(auth.header())
      expect(err.message).toBe(`DC/OS login at ${server.url}/acs/api/v1/auth/login failed: HTTP 401: Invalid uid or token.`)
      expect(err.message).not.toContain('PRIVATE KEY')
    } finally {
      await auth.close()
    }
  })
})
