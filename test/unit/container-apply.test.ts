import {execFileSync} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {MlbError} from '../../src/errors.js'
import {MemoryLogger} from '../../src/log.js'
import {applyContainerSetup} from '../../src/serve/container-apply.js'
import {execRunner, type CommandRunner} from '../../src/serve/container-cert.js'
import {planContainerSetup, type ContainerPaths, type Env} from '../../src/serve/container.js'

let dir: string
let paths: ContainerPaths

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlb-container-'))
  paths = {certDir: join(dir, 'ssl'), templatesDir: join(dir, 'work', 'templates'), haproxyConfig: join(dir, 'work', 'haproxy.cfg')}
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** A runner that records every call and then runs the real program. */
function recordingRunner(calls: Array<{command: string; args: readonly string[]}>): CommandRunner {
  return async (command, args) => {
    calls.push({command, args})
    return execRunner(command, args)
  }
}

async function fakeSysctl(exitCode: number): Promise<string> {
  const script = join(dir, 'sysctl')
  await writeFile(script, `#!/bin/sh\necho "$@" >> "${join(dir, 'sysctl.log')}"\necho "sysctl: permission denied on key" >&2\nexit ${exitCode}\n`)
  await chmod(script, 0o755)
  return script
}

const apply = (env: Env, args: string[], extra: Partial<Parameters<typeof applyContainerSetup>[1]> = {}) =>
  applyContainerSetup(planContainerSetup(env, args, paths), {logger: new MemoryLogger(), tmpRoot: dir, ...extra})

describe('applyContainerSetup', () => {
  it('writes HAPROXY_SSL_CERT* with echo -e bytes and mode 0600', async () => {
    const setup = await apply({HAPROXY_SSL_CERT: 'one\\ntwo', HAPROXY_SSL_CERT5: 'five\\x21'}, ['sse', '--group', 'external'])
    expect(await readFile(join(paths.certDir, 'cert.pem'), 'utf8')).toBe('one\ntwo\n')
    expect(await readFile(join(paths.certDir, 'cert5.pem'), 'utf8')).toBe('five!\n')
    expect((await stat(join(paths.certDir, 'cert5.pem'))).mode & 0o777).toBe(0o600)
    expect(setup.argv).toContain(`${join(paths.certDir, 'cert.pem')},${join(paths.certDir, 'cert5.pem')}`)
    expect((await readdir(paths.certDir)).sort()).toEqual(['cert.pem', 'cert5.pem'])
  })

  it('generates a self-signed certificate (RSA 2048, CN=*, 3650 days) with no secret on any command line', async () => {
    const calls: Array<{command: string; args: readonly string[]}> = []
    await apply({}, ['sse'], {run: recordingRunner(calls)})
    const pem = await readFile(join(paths.certDir, 'cert.pem'), 'utf8')
    expect(pem.indexOf('-----BEGIN CERTIFICATE-----')).toBe(0)
    expect(pem).toMatch(/-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----/)
    expect((await stat(join(paths.certDir, 'cert.pem'))).mode & 0o777).toBe(0o600)
    const certFile = join(dir, 'only-cert.pem')
    await writeFile(certFile, pem.slice(0, pem.indexOf('-----BEGIN PRIVATE KEY-----')))
    const info = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-startdate', '-enddate', '-text'], {encoding: 'utf8'})
    expect(info).toMatch(/subject=CN\s*=\s*\*/)
    expect(info).toContain('Public-Key: (2048 bit)')
    const start = Date.parse(/notBefore=(.*)/.exec(info)![1]!)
    const end = Date.parse(/notAfter=(.*)/.exec(info)![1]!)
    expect(Math.round((end - start) / 86_400_000)).toBe(3650)
    const keyBody = pem.slice(pem.indexOf('-----BEGIN PRIVATE KEY-----')).split('\n')[1]!
    expect(calls.map((c) => c.args[0])).toEqual(['genrsa', 'req', 'x509'])
    for (const c of calls) expect(c.args.join(' ')).not.toContain(keyBody)
    // The private temporary folder is gone.
    expect((await readdir(dir)).filter((n) => n.startsWith('mlb-cert-'))).toEqual([])
  })

  it('reports an openssl failure clearly and still cleans up', async () => {
    const failing: CommandRunner = async () => ({code: 1, stdout: '', stderr: 'unable to write random state'})
    await expect(apply({}, ['sse'], {run: failing})).rejects.toThrow('openssl genrsa failed (1): unable to write random state')
    expect((await readdir(dir)).filter((n) => n.startsWith('mlb-cert-'))).toEqual([])
  })

  it('copies the sandbox templates (files only)', async () => {
    const sandbox = join(dir, 'sandbox')
    await mkdir(join(sandbox, 'templates', 'sub'), {recursive: true})
    await writeFile(join(sandbox, 'templates', 'HAPROXY_HEAD'), 'global\n')
    await writeFile(join(sandbox, 'templates', 'HAPROXY_BACKEND_HEAD'), 'backend x\n')
    await apply({MESOS_SANDBOX: sandbox}, ['sse', '--ssl-certs', '/u.pem'])
    expect((await readdir(paths.templatesDir)).sort()).toEqual(['HAPROXY_BACKEND_HEAD', 'HAPROXY_HEAD'])
    expect(await readFile(join(paths.templatesDir, 'HAPROXY_HEAD'), 'utf8')).toBe('global\n')
  })

  it('a sandbox without templates is not an error', async () => {
    await apply({MESOS_SANDBOX: join(dir, 'nothing')}, ['sse', '--ssl-certs', '/u.pem'])
    await expect(stat(paths.templatesDir)).rejects.toThrow()
  })

  it('runs sysctl -w with the words as arguments; a failure aborts unless non-strict', async () => {
    const sysctl = await fakeSysctl(255)
    const env = {HAPROXY_SYSCTL_PARAMS: 'net.core.somaxconn=1024 net.ipv4.tcp_tw_reuse=1'}
    const err = await apply(env, ['sse', '--ssl-certs', '/u.pem'], {sysctl}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MlbError)
    expect((err as MlbError).message).toContain('sysctl -w net.core.somaxconn=1024 net.ipv4.tcp_tw_reuse=1 failed (255): sysctl: permission denied on key')
    expect((err as MlbError).message).toContain('HAPROXY_SYSCTL_NONSTRICT')
    const logger = new MemoryLogger()
    await apply({...env, HAPROXY_SYSCTL_NONSTRICT: '1'}, ['sse', '--ssl-certs', '/u.pem'], {sysctl, logger})
    expect(logger.messages('warn').join('\n')).toContain('ignored because HAPROXY_SYSCTL_NONSTRICT is set')
    expect(await readFile(join(dir, 'sysctl.log'), 'utf8')).toBe('-w net.core.somaxconn=1024 net.ipv4.tcp_tw_reuse=1\n'.repeat(2))
  })

  it('returns MARATHON_USER credentials without logging the password or reading Vault', async () => {
    const logger = new MemoryLogger()
    let vaultReads = 0
    const setup = await apply({MARATHON_USER: 'u', MARATHON_PASSWORD: 'pw with spaces', VAULT_TOKEN: 't0ken', VAULT_URL: 'http://127.0.0.1:1/v1/x'}, ['sse', '--ssl-certs', '/u.pem'], {
      logger,
      readVault: async () => {
        vaultReads++
        return {user: 'v', password: 'v', source: 'vault'}
      },
    })
    expect(setup.auth).toEqual({user: 'u', password: 'pw with spaces', source: 'MARATHON_USER'})
    expect(vaultReads).toBe(0)
    const logged = JSON.stringify(logger.records)
    expect(logged).not.toContain('pw with spaces')
    expect(logged).not.toContain('t0ken')
  })
})
