/**
 * Marathon authentication through the real built CLI (spec §1.2): Basic auth from a credential
 * file, from MARATHON_USER/MARATHON_PASSWORD and from --auth-credentials (hidden from `ps`), and
 * the DC/OS service-account login against a local login endpoint that verifies the RS256 JWT.
 * Secrets never appear on stderr.
 */
import {spawn} from 'node:child_process'
import {generateKeyPairSync, verify} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, cleanEnv, missingBuild, runCli} from '../cli-run.js'
import {startFixtureServer, type FixtureHandler, type RecordedRequest} from '../fixture-server.js'

const notBuilt = missingBuild()
const APPS = JSON.stringify({
  apps: [{id: '/web', labels: {HAPROXY_GROUP: 'external'}, portDefinitions: [{port: 10001}], tasks: [{id: 'web.1', host: '10.0.0.1', ports: [31001], state: 'TASK_RUNNING'}]}],
})
const PASSWORD = 'pw-9f2c7e1b'
const BASIC = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`

/** Marathon that wants `authorization` (401 with Jetty's HTML page otherwise). */
function protectedMarathon(authorization: () => string | undefined): FixtureHandler {
  return (req) =>
    req.headers['authorization'] !== undefined && req.headers['authorization'] === authorization()
      ? {status: 200, body: APPS, headers: {'content-type': 'application/json'}}
      : {status: 401, body: '<html><body>401 Unauthorized</body></html>', headers: {'content-type': 'text/html', 'www-authenticate': 'basic realm="Mesosphere"'}}
}

const work = mkdtempSync(join(tmpdir(), 'mlb-auth-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

function dry(url: string, extra: string[] = []): string[] {
  return ['serve', '--dry', '--group', 'external', '--syslog-socket', '/dev/null', '--log-level', 'debug', '-m', url, ...extra]
}

describe.skipIf(notBuilt !== undefined)('mlb serve: Basic auth', () => {
  it.concurrent('from a credential file and from MARATHON_USER/MARATHON_PASSWORD, never shown', async () => {
    const server = await startFixtureServer(protectedMarathon(() => BASIC))
    try {
      const file = join(work, 'creds')
      writeFileSync(file, `alice:${PASSWORD}\n`)
      const [fromFile, fromEnv, none] = await Promise.all([
        runCli(dry(server.url, ['--marathon-auth-credential-file', file])),
        runCli(dry(server.url), {env: cleanEnv({MARATHON_USER: 'alice', MARATHON_PASSWORD: PASSWORD})}),
        runCli(dry(server.url)),
      ])
      for (const res of [fromFile, fromEnv]) {
        expect(res.code, res.stderr).toBe(0)
        expect(res.stdout).toContain('backend web_10001\n')
        expect(res.stderr).not.toContain(PASSWORD)
      }
      expect(none.code).toBe(1)
      expect(none.stderr).toContain(`Marathon ${server.url} answered HTTP 401 with a body that is not JSON (text/html)`)
      const auths = server.requests.map((r) => r.headers['authorization'])
      expect(auths.filter((a) => a === BASIC)).toHaveLength(2)
    } finally {
      await server.close()
    }
  })

  /**
   * Runs `mlb serve --dry` with the arguments `argsFor(url)` gives, reads the process's command
   * line while Marathon holds its answer, and checks the run: the credentials reached Marathon,
   * and neither the command line nor stderr shows `password`.
   */
  async function hiddenWhileRunning(argsFor: (url: string) => string[], password: string, basic: string): Promise<void> {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let arrived: (r: RecordedRequest) => void = () => {}
    const firstRequest = new Promise<RecordedRequest>((resolve) => (arrived = resolve))
    const server = await startFixtureServer(async (req) => {
      arrived(req)
      await gate // hold the answer while the test reads /proc/<pid>/cmdline
      return protectedMarathon(() => basic)(req)
    })
    try {
      const child = spawn(process.execPath, [BIN, ...argsFor(server.url)], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (c: Buffer) => out.push(c))
      child.stderr.on('data', (c: Buffer) => err.push(c))
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      const req = await firstRequest
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'latin1')
      release()
      const code = await closed
      clearTimeout(timer)
      expect(req.headers['authorization']).toBe(basic)
      expect(cmdline).not.toContain(password)
      expect(cmdline.replace(/\0+$/, '')).toBe('mlb serve')
      expect(code, Buffer.concat(err).toString()).toBe(0)
      expect(Buffer.concat(out).toString()).toContain('backend web_10001\n')
      expect(Buffer.concat(err).toString()).not.toContain(password)
    } finally {
      release()
      await server.close()
    }
  }

  it.concurrent('--auth-credentials works and is hidden from the process command line', async () => {
    await hiddenWhileRunning((url) => dry(url, ['--auth-credentials', `alice:${PASSWORD}`]), PASSWORD, BASIC)
  })

  it.concurrent('user info in --marathon works and is hidden too, whatever the password holds', async () => {
    // `%2F` is a `/`, and `100%` a `%` that starts no escape (Python's unquote keeps it).
    const password = 'pw/9f2c%100%'
    const basic = `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`
    await hiddenWhileRunning((url) => dry(url.replace('http://', 'http://alice:pw%2F9f2c%25100%@')), 'pw%2F9f2c', basic)
  })
})

describe.skipIf(notBuilt !== undefined)('mlb serve: DC/OS service-account login', () => {
  it('logs in with a verified RS256 JWT and sends token=<cookie> to Marathon', async () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const issued = `issued-${Date.now()}`
    const logins: Record<string, unknown>[] = []
    const server = await startFixtureServer((req) => {
      if (req.method === 'POST' && req.url === '/acs/api/v1/auth/login') {
        const {uid, token, exp} = JSON.parse(req.body) as {uid: string; token: string; exp: number}
        const [h, p, s] = token.split('.')
        if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s!, 'base64url'))) {
          return {status: 401, body: JSON.stringify({message: 'Invalid token'})}
        }
        logins.push({uid, exp, claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) as unknown})
        return {status: 200, body: JSON.stringify({token: issued}), headers: {'set-cookie': `dcos-acs-auth-cookie=${issued}; Path=/; HttpOnly`}}
      }
      return protectedMarathon(() => `token=${issued}`)(req)
    })
    try {
      const pem = privateKey.export({type: 'pkcs8', format: 'pem'}) as string
      const secret = JSON.stringify({scheme: 'RS256', uid: 'marathon-lb', private_key: pem, login_endpoint: `${server.url}/acs/api/v1/auth/login`})
      const res = await runCli(dry(server.url), {env: cleanEnv({DCOS_SERVICE_ACCOUNT_CREDENTIAL: secret})})
      expect(res.code, res.stderr).toBe(0)
      expect(res.stdout).toContain('backend web_10001\n')
      expect(logins).toHaveLength(1)
      expect(logins[0]).toMatchObject({uid: 'marathon-lb', claims: {uid: 'marathon-lb'}})
      expect(server.requests.filter((r) => r.url.startsWith('/v2/apps')).map((r) => r.headers['authorization'])).toEqual([`token=${issued}`])
      expect(res.stderr).not.toContain(issued)
      expect(res.stderr).not.toContain('PRIVATE KEY')
    } finally {
      await server.close()
    }
  })
})

if (notBuilt !== undefined) {
  describe('mlb serve auth CLI tests', () => {
    it('need the built CLI', () => {
      throw new Error(notBuilt)
    })
  })
}
