/**
 * One test per quirk of spec §10 that mlb fixes and that no other test covered
 * (docs/compatibility.md): the longhelp default of §10.15, and the runtime and zdd quirks
 * 10.24, 10.25, 10.27, 10.38 and 10.45. Servers run on 127.0.0.1 only; nothing is timed.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {Parser} from '@oclif/core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {longhelpText} from '../../src/cli/longhelp-data.js'
import {runServe} from '../../src/cli/serve-main.js'
import {ZDD_FLAGS, type ZddFlagValues} from '../../src/cli/zdd-flags.js'
import {runZddCli} from '../../src/cli/zdd-main.js'
import {systemClock} from '../../src/clock.js'
import {AuthError} from '../../src/errors.js'
import {deployConfig} from '../../src/haproxy/deploy.js'
import {defaultLayout} from '../../src/haproxy/stage.js'
import {DEFAULT_LOG_FORMAT, MemoryLogger} from '../../src/log.js'
import {EventStream} from '../../src/marathon/events.js'
import {HttpLbClient} from '../../src/zdd/lb.js'
import {app, generate, healthCheck, id, marathon, portDefs, ports, section, task, tasks} from '../builders.js'
import {startFixtureServer} from '../fixture-server.js'
import {startSseServer} from '../sse-server.js'
import {startTlsMarathon, type TlsMarathon} from '../tls-marathon.js'
import {until} from '../wait.js'

const dir = mkdtempSync(join(tmpdir(), 'mlb-quirks-runtime-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** A fresh folder under this file's temp folder. */
function folder(name: string): string {
  const path = join(dir, name)
  mkdirSync(path, {recursive: true})
  return path
}

describe('§10.15: --longhelp shows the real default of BACKEND_HTTP_HEALTHCHECK_OPTIONS', () => {
  const name = 'HAPROXY_BACKEND_HTTP_HEALTHCHECK_OPTIONS'
  const text = longhelpText()
  const start = text.indexOf(`## \`${name}\`\n`)
  const own = text.slice(start, text.indexOf('\n## ', start + 1))
  const shown = new RegExp(`\\*\\*Default template for \`${name}\`:\\*\\*\\n\`\`\`\\n([^]*?)\`\`\``).exec(own)?.[1]

  it('prints the httpchk template, not "defaults to empty string"', () => {
    expect(start).toBeGreaterThan(0)
    expect(shown).toBe('  option  httpchk GET {healthCheckPath}\n  timeout check {healthCheckTimeoutSeconds}s\n')
    expect(text).not.toMatch(/defaults? to (an )?empty string/i)
  })

  it('and that text is what a backend with an HTTP health check gets', () => {
    const cfg = generate(marathon(app(id('/web'), portDefs(10000), healthCheck({path: '/ping', timeoutSeconds: 7}), tasks(task(ports(31000)))))).config
    const filled = (shown ?? '').replace('{healthCheckPath}', '/ping').replace('{healthCheckTimeoutSeconds}', '7')
    expect(filled).toBe('  option  httpchk GET /ping\n  timeout check 7s\n')
    expect(`${section(cfg, 'backend web_10000').join('\n')}\n`).toContain(filled)
  })
})

describe('§10.24: --dry prints every time and ends, with --sse too', () => {
  it('prints the configuration even when --haproxy-config already holds it, and returns after printing', async () => {
    const server = await startFixtureServer(JSON.stringify(marathon(app(id('/web'), portDefs(10000), tasks(task(ports(31000)))))))
    const cwd = folder('dry')
    const config = join(cwd, 'haproxy.cfg')
    const once = async (): Promise<{end: string; out: string}> => {
      let out = ''
      const argv = ['--dry', '--sse', '--group', '*', '--marathon', server.url, '--haproxy-config', config, '--log-level', 'CRITICAL']
      const end = await runServe({argv, env: {}, cwd, stdout: async (t) => void (out += t)})
      return {end, out}
    }
    try {
      const first = await once()
      expect(first.end).toBe('printed')
      expect(first.out).toContain('\nbackend web_10000\n')
      // marathon-lb printed only when the file differed; in SSE mode the process then kept running.
      writeFileSync(config, first.out)
      expect(await once()).toEqual(first)
      expect(server.requests.map((r) => r.url)).toEqual(['/v2/apps?embed=apps.tasks', '/v2/apps?embed=apps.tasks'])
    } finally {
      await server.close()
    }
  })
})

describe('§10.25: a rejected configuration is saved in the archive folder, not the working directory', () => {
  it('defaults to <archive dir>/haproxy_tmp_conf_fail, with HAProxy\'s output beside it; the running file stays', async () => {
    const base = folder('rejected')
    const archive = folder('rejected/archive')
    // A stand-in for `haproxy -c` that rejects every file, so no HAProxy is needed here.
    const haproxyBin = join(base, 'haproxy')
    writeFileSync(haproxyBin, `#!/bin/sh\necho "[ALERT]    (1) : config : parsing [$3:2] : unknown keyword 'bogus' in 'backend' section" >&2\nexit 1\n`, {mode: 0o755})
    const configFile = join(folder('rejected/etc'), 'haproxy.cfg')
    writeFileSync(configFile, 'running\n')
    const bad = 'backend b\n  bogus\n'
    const r = await deployConfig(
      {config: bad, domainMap: '', appMap: ''},
      {layout: defaultLayout(configFile, false), skipValidation: false, archive: {dir: archive, versions: 2}, validate: {haproxyBin}, clock: systemClock},
    )
    expect(r).toMatchObject({changed: true, valid: false, written: false, failedConfigFile: join(archive, 'haproxy_tmp_conf_fail')})
    expect(readFileSync(join(archive, 'haproxy_tmp_conf_fail'), 'utf8')).toBe(bad)
    expect(readFileSync(join(archive, 'haproxy_tmp_conf_fail.err'), 'utf8')).toContain("unknown keyword 'bogus'")
    expect(readFileSync(configFile, 'utf8')).toBe('running\n')
    expect(existsSync(join(process.cwd(), 'haproxy_tmp_conf_fail'))).toBe(false)
  })
})

describe('§10.27: a DC/OS login failure while opening the event stream is retried, not fatal', () => {
  it('the attempt ends with the login error, and a later attempt connects with the token', async () => {
    const s = await startSseServer({heartbeatMs: 50, authorization: 'token=t1'})
    let logins = 0
    const authorization = async (): Promise<string> => {
      logins++
      if (logins <= 2) throw new AuthError('DC/OS login at http://127.0.0.1:9/acs/api/v1/auth/login failed: HTTP 500')
      return 'token=t1'
    }
    const logger = new MemoryLogger()
    const connects: string[] = []
    const stream = new EventStream(
      {urls: [s.url], clock: systemClock, logger, authorization, connectTimeoutMs: 5000, stallTimeoutMs: 5000, backoff: {initialMs: 20, factor: 1, maxMs: 20, stableMs: 60_000}, random: () => 0},
      {onEvent: () => {}, onConnect: (url) => connects.push(url)},
    )
    stream.start()
    try {
      await until(() => connects.length === 1, 10_000, 'the stream to connect after two failed logins')
      expect(logins).toBe(3)
      const closed = logger.records.filter((r) => r.msg === 'event stream closed').map((r) => String(r.fields['reason']))
      expect(closed).toHaveLength(2)
      for (const reason of closed) expect(reason).toContain('DC/OS login at http://127.0.0.1:9/acs/api/v1/auth/login failed: HTTP 500')
      expect(logger.messages('error')).toEqual([])
      expect(s.eventRequests().map((r) => r.headers.authorization)).toEqual(['token=t1'])
    } finally {
      await stream.stop()
      await s.close()
    }
  })
})

describe('§10.38: mlb zdd offers no --longhelp (zdd.py printed "None")', () => {
  it('is an unknown flag (exit 3 through the command); --help lists the flags', async () => {
    expect(Object.keys(ZDD_FLAGS)).not.toContain('longhelp')
    await expect(Parser.parse(['--longhelp'], {flags: ZDD_FLAGS, strict: true})).rejects.toThrow(/Nonexistent flag: --longhelp/)
  })
})

describe('§10.45: zdd bounds its requests and applies --marathon-ca-cert', () => {
  it('a load balancer that accepts the request and never answers fails the call instead of hanging zdd', async () => {
    const hung = await startFixtureServer(() => ({delayMs: 60_000, body: '1 2'}))
    try {
      const lb = new HttpLbClient(300)
      await expect(lb.pids(hung.url)).rejects.toThrow()
      await expect(lb.stats(hung.url)).rejects.toThrow()
      expect(hung.requests.map((r) => r.url)).toEqual(['/_haproxy_getpids', '/haproxy?stats;csv'])
    } finally {
      await hung.close()
    }
  }, 20_000)

  describe('--marathon-ca-cert reaches zdd\'s Marathon requests (zdd.py used it for the DC/OS login only)', () => {
    let marathon: TlsMarathon
    let url = ''
    let goodCa = ''
    let wrongCa = ''
    let seen: string[] = []

    beforeAll(async () => {
      marathon = await startTlsMarathon(dir)
      ;({url, goodCa, wrongCa, requests: seen} = marathon)
    })

    afterAll(async () => {
      await marathon.close()
    })

    /** `mlb zdd --dry-run --output ndjson` of a first deploy against the HTTPS Marathon above. */
    async function dryRun(caCert: string | undefined): Promise<{exit: number; result: {outcome?: string; message?: string}}> {
      const json = join(dir, 'app.json')
      writeFileSync(json, JSON.stringify({id: '/web', instances: 1, labels: {HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10001'}, portDefinitions: [{port: 10000}]}))
      const flags: ZddFlagValues = {
        json, marathon: url, 'marathon-lb': ['http://127.0.0.1:9'], 'dry-run': true, force: false, 'step-delay': 5, 'initial-instances': 1,
        'linear-increase': 0, resume: false, 'max-wait': 300, 'deploy-timeout': 0, 'new-instances': 0, 'complete-cur': false, 'complete-prev': false,
        'pre-kill-hook': undefined, output: 'ndjson', 'syslog-socket': '/dev/null', 'log-format': DEFAULT_LOG_FORMAT, 'log-level': 'CRITICAL',
        'marathon-auth-credential-file': undefined, 'auth-credentials': undefined, 'dcos-auth-credentials': undefined, 'marathon-ca-cert': caCert,
      }
      let out = ''
      const exit = await runZddCli(flags, {stdout: (t) => void (out += t), stdin: new PassThrough(), stdoutStream: new PassThrough()})
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as {type: string; outcome?: string; message?: string})
      return {exit, result: lines.find((l) => l.type === 'result') ?? {}}
    }

    it('the right CA: the dry run lists the apps and ends with exit 0', async () => {
      seen.length = 0
      expect(await dryRun(goodCa)).toEqual({exit: 0, result: expect.objectContaining({outcome: 'dry-run'})})
      expect(seen).toEqual(['GET /v2/apps'])
    })

    const refused: [string, () => string | undefined][] = [
      ['another CA', () => wrongCa],
      // zdd.py verified Marathon against the system's CAs; so does mlb zdd without the flag.
      ['no CA flag (the system\'s CAs, as zdd.py)', () => undefined],
    ]
    for (const [desc, ca] of refused) {
      it(`${desc}: the certificate is refused, exit 6 (Marathon) before any request is answered`, async () => {
        seen.length = 0
        const r = await dryRun(ca())
        expect(r.exit).toBe(6)
        expect(r.result.message).toMatch(/certificate|self.signed|verify/i)
        expect(seen).toEqual([])
      })
    }
  })
})
