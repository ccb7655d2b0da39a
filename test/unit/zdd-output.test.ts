/**
 * `mlb zdd`'s output contract (docs/zdd.md, Output and Exit codes): without a terminal stdout
 * holds only the final app definition as zdd.py wrote it; with `--output ndjson` every exit after
 * the flags are parsed ends with a result line, secrets never in it; start-up exit statuses; nulls
 * stripped from `--json`; load balancer hosts resolved with getaddrinfo (/etc/hosts included).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {afterAll, describe, expect, it} from 'vitest'

import type {ZddFlagValues} from '../../src/cli/zdd-flags.js'
import {loadAppJson, lookupIpv4, runZddCli} from '../../src/cli/zdd-main.js'
import {PlainReporter, zddPyJson} from '../../src/cli/zdd-report.js'
import {DEFAULT_LOG_FORMAT} from '../../src/log.js'
import {resolveLbUrls} from '../../src/zdd/lb.js'

const dir = mkdtempSync(join(tmpdir(), 'mlb-zdd-output-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const SECRET = 'S3cr3tPw'

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const goodApp = {id: '/web', instances: 1, labels: {HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10001'}, portDefinitions: [{port: 10000}]}

/** Flags of `mlb zdd -j <json> -m <closed loopback port> -l … -f --syslog-socket /dev/null`. */
function flags(over: Partial<ZddFlagValues> = {}): ZddFlagValues {
  return {
    json: file('good.json', JSON.stringify(goodApp)), marathon: 'http://127.0.0.1:9', 'marathon-lb': ['http://127.0.0.1:9'], 'dry-run': false, force: true,
    'step-delay': 5, 'initial-instances': 1, 'linear-increase': 0, resume: false, 'max-wait': 300, 'deploy-timeout': 0, 'new-instances': 0, 'complete-cur': false,
    'complete-prev': false, 'pre-kill-hook': undefined, output: 'ndjson', 'syslog-socket': '/dev/null', 'log-format': DEFAULT_LOG_FORMAT, 'log-level': 'CRITICAL',
    'marathon-auth-credential-file': undefined, 'auth-credentials': undefined, 'dcos-auth-credentials': undefined, 'marathon-ca-cert': undefined,
    ...over,
  }
}

async function run(f: ZddFlagValues): Promise<{exit: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const exit = await runZddCli(f, {stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: new PassThrough(), stdoutStream: new PassThrough()})
  return {exit, stdout, stderr}
}

describe('the final app definition on stdout, as zdd.py wrote it', () => {
  it('json.dumps(app, sort_keys=True, indent=2): ordinal keys (integer-like too), non-ASCII escaped, empty containers inline', () => {
    // Expected text printed by Python 3 json.dumps(value, sort_keys=True, indent=2).
    const value = {b: [], a: {'10': 1, '9': 2, é: 'Grüße ☃ 😀\u007f\n', x: {}, l: [1, 2.5, true, null, 's']}}
    const python = [
      '{', '  "a": {', '    "10": 1,', '    "9": 2,', '    "l": [', '      1,', '      2.5,', '      true,', '      null,', '      "s"', '    ],', '    "x": {},',
      '    "\\u00e9": "Gr\\u00fc\\u00dfe \\u2603 \\ud83d\\ude00\\u007f\\n"', '  },', '  "b": []', '}',
    ].join('\n')
    expect(zddPyJson(value)).toBe(python)
  })

  it('no terminal: progress lines and the Done line go to the log stream, stdout gets only the JSON', async () => {
    let log = ''
    let out = ''
    const r = new PlainReporter((t) => void (log += t), (t) => void (out += t))
    r.event({type: 'appDefinition', time: 0, app: {id: '/web-blue', instances: 1}})
    r.event({type: 'planned', time: 0, steps: ['create /web-blue']})
    await r.finish({type: 'result', time: 0, outcome: 'dry-run', exit: 0, message: 'Dry run: nothing was changed', durationMs: 5})
    expect(out).toBe('{\n  "id": "/web-blue",\n  "instances": 1\n}\n')
    expect(log.split('\n')[0]).toBe('1970-01-01T00:00:00.000Z Final app definition for /web-blue')
    expect(log).toContain('Planned steps:')
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/^\S+Z Done: Dry run/)
  })

  it('no terminal, a failure before the run: stdout stays empty, the reason is on stderr', async () => {
    const r = await run(flags({output: 'text', json: file('bad.json', '{"id": ')}))
    expect(r).toMatchObject({exit: 3, stdout: ''})
    expect(r.stderr).toMatch(/^zdd: error: --json: .* is not valid JSON/)
  })
})

describe('--output ndjson: a result line for every exit after the flags are parsed, without secrets', () => {
  const cases: {desc: string; over: () => Partial<ZddFlagValues>; exit: number; code: string; message: RegExp}[] = [
    {desc: 'malformed --json', over: () => ({json: file('m.json', `{"env": {"DB_PASSWORD": "${SECRET}"} oops}`)}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /is not valid JSON: Expected ',' or '}' after property value in JSON at position 36$/},
    // V8 quotes part of the text in these two: the quote is left out (an env value may be a secret).
    {desc: 'malformed --json, V8 quoting the whole text', over: () => ({json: file('q1.json', `["${SECRET}", tru]`)}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /is not valid JSON: Unexpected token '\]'$/},
    {desc: 'malformed --json, V8 quoting its start', over: () => ({json: file('q2.json', `{"a": tru, "P": "${SECRET}"}`)}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /is not valid JSON: Unexpected token ','$/},
    {desc: 'unreadable --json', over: () => ({json: join(dir, 'absent.json')}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /cannot read/},
    {desc: 'missing --marathon', over: () => ({marathon: undefined}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /--marathon\/-m is required/},
    {desc: 'malformed user:pass', over: () => ({'auth-credentials': `user:${SECRET}:x`}), exit: 1, code: 'MLB_ERR_AUTH', message: /user:pass format/},
    {desc: 'unreadable credential file', over: () => ({'marathon-auth-credential-file': join(dir, 'no-such-creds')}), exit: 1, code: 'MLB_ERR_AUTH', message: /cannot read --marathon-auth-credential-file/},
    {desc: 'malformed DC/OS credentials', over: () => ({'dcos-auth-credentials': `{"private_key": "${SECRET}"`}), exit: 1, code: 'MLB_ERR_AUTH', message: /not valid JSON/},
    {desc: '--marathon without a scheme: exit 6, as zdd.py', over: () => ({marathon: '127.0.0.1:38207'}), exit: 6, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT', message: /invalid Marathon URL/},
    {desc: '--marathon ftp:// with a password: exit 6, password hidden', over: () => ({marathon: `ftp://u:${SECRET}@127.0.0.1:21`}), exit: 6, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT', message: /not http or https/},
    {desc: '--marathon user:pass@host without a scheme: exit 6, password hidden', over: () => ({marathon: `u:${SECRET}@127.0.0.1:8080`}), exit: 6, code: 'MLB_ERR_ZDD_MARATHON_ENDPOINT', message: /invalid Marathon URL/},
    {desc: 'bad --log-level', over: () => ({'log-level': 'LOUD'}), exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG', message: /Invalid log level/},
  ]
  for (const c of cases) {
    it(`${c.desc}: exit ${c.exit}, stdout is exactly one result line`, async () => {
      const r = await run(flags(c.over()))
      expect(r.exit).toBe(c.exit)
      const lines = r.stdout.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      const result = JSON.parse(lines[0]!) as Record<string, unknown>
      expect(result).toMatchObject({type: 'result', outcome: 'failed', exit: c.exit, code: c.code})
      expect(String(result['message'])).toMatch(c.message)
      expect(typeof result['durationMs']).toBe('number')
      expect(r.stdout + r.stderr).not.toContain(SECRET)
      expect(r.stderr).toContain(`zdd: error: ${String(result['message'])}`)
    })
  }
})

describe('nulls are stripped from --json (spec §8.3 step 1)', () => {
  it('recursively from objects (a null label is a missing label); nulls in arrays stay, as cleanup_json', async () => {
    const path = file('nulls.json', JSON.stringify({id: '/a', cmd: null, env: {A: null, B: 'b'}, labels: {HAPROXY_DEPLOYMENT_GROUP: null}, args: [null, 'x']}))
    expect(await loadAppJson(path)).toEqual({id: '/a', env: {B: 'b'}, labels: {}, args: [null, 'x']})
  })

  it('"HAPROXY_DEPLOYMENT_GROUP": null is exit 4 (missing label), before any Marathon call', async () => {
    const app = {...goodApp, labels: {...goodApp.labels, HAPROXY_DEPLOYMENT_GROUP: null}}
    const r = await run(flags({json: file('null-group.json', JSON.stringify(app))}))
    expect(r.exit).toBe(4)
    expect(JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({type: 'result', exit: 4, code: 'MLB_ERR_ZDD_MISSING_FIELD'})
    expect(r.stdout).toContain('HAPROXY_DEPLOYMENT_GROUP')
  })
})

describe('--marathon-lb hosts resolve through getaddrinfo, as zdd.py (gethostbyname_ex)', () => {
  it('localhost (from /etc/hosts, no DNS server involved) is one load balancer at 127.0.0.1', async () => {
    expect(await lookupIpv4('localhost')).toEqual(['127.0.0.1'])
    expect(await resolveLbUrls(['http://localhost:41900'], lookupIpv4)).toEqual(['http://127.0.0.1:41900'])
  })

  it('a host that does not resolve is still exit 5 with the reason', async () => {
    await expect(resolveLbUrls(['http://no-such-host.invalid:9090'], lookupIpv4)).rejects.toMatchObject({exit: 5, message: expect.stringContaining('cannot resolve no-such-host.invalid')})
  })
})
