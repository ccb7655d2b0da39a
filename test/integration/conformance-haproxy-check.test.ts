/**
 * Every conformance vector that marathon-lb accepts (no `expected.rc`) must give a configuration
 * a real HAProxy accepts: mlb renders the vector exactly as the conformance runners do (the
 * case's `args` through `mlb serve`'s own flag parser, its `env` and `templates/`), the files the
 * text refers to are made to exist in a temp folder (one self-signed certificate for every
 * `crt`/`ca-file`, mlb's lua/ folder for `lua-load`, the generated map files, stub errorfiles),
 * and `haproxy -c -f` must succeed. `haproxy -c` binds nothing, so no port is opened.
 *
 * A vector HAProxy rejects is listed below with the reason, and the test asserts it is still
 * rejected for exactly that reason (every ALERT must match), so neither list can rot.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseArgs} from '../../src/cli/argparse.js'
import {SERVE_FLAGS} from '../../src/cli/serve-flags.js'
import {generateConfig, type GeneratedConfig} from '../../src/generate.js'
import {luaDir} from '../../src/paths.js'
import {serveOptionsFrom} from '../../src/serve/options.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {ROOT} from '../cli-run.js'
import {normalizeConfig, parseRelaxations} from '../conformance-compare.js'
import {requireHaproxy} from '../haproxy-harness.js'

const CASES_DIR = join(ROOT, 'fixtures', 'conformance')

/** A vector HAProxy rejects, and the ALERT text that must explain every rejection. */
interface Rejected {
  readonly why: string
  readonly alerts: readonly RegExp[]
}

/**
 * Class (a): the vector's user supplied the offending value on purpose. mlb (like marathon-lb)
 * passes it through verbatim; HAProxy rejecting it is the user's problem, not mlb's.
 */
const ALLOW_LIST: Readonly<Record<string, Rejected>> = {
  // /nginx2 sets HAPROXY_0_BIND_OPTIONS='verify required' (client-certificate verification) but no
  // `ca-file`; HAProxy needs a CA to verify against. Both the per-vhost abns@ frontend and the
  // app's own :10001 frontend carry the user's bind options.
  't-group-https-by-vhost': {
    why: "HAPROXY_0_BIND_OPTIONS='verify required' without a ca-file",
    alerts: [
      /Proxy 'server2_nginx_net': verify is enabled but no CA file specified for bind 'abns@server2_nginx_net'/,
      /Proxy 'nginx2_10001': verify is enabled but no CA file specified for bind '\*:10001'/,
    ],
  },
}

/**
 * marathon-lb's own output for labels that contradict each other, which HAProxy 2.x rejects. The
 * vector pins these bytes (conformance is byte for byte), so mlb keeps them; the daemon's
 * validation and bisection then leave the app out with HAProxy's message (docs/compatibility.md,
 * §10.1). Listed so that a change of either the bytes or HAProxy's verdict is noticed.
 */
const PINNED_BY_THE_VECTOR: Readonly<Record<string, Rejected>> = {
  // /m-tcp-vhost has HAPROXY_0_MODE=tcp and HAPROXY_0_VHOST=tcp.example.com: the MODE label wins
  // (backend `mode tcp`), yet the vhost ACLs still route to that backend from the `mode http`
  // frontends marathon_http_in (hdr(host) ACL) and marathon_https_in (ssl_fc_sni).
  'mode-labels': {
    why: 'HAPROXY_0_MODE=tcp with HAPROXY_0_VHOST: http frontends use_backend a tcp backend',
    alerts: [
      /http frontend 'marathon_http_in' .* tries to use incompatible tcp backend 'm-tcp-vhost_10531' .* in a 'use_backend' rule/,
      /http frontend 'marathon_https_in' .* tries to use incompatible tcp backend 'm-tcp-vhost_10531' .* in a 'use_backend' rule/,
    ],
  },
}

function caseNames(): string[] {
  return readdirSync(CASES_DIR, {withFileTypes: true})
    .filter((d) => d.isDirectory() && existsSync(join(CASES_DIR, d.name, 'apps.json')))
    .map((d) => d.name)
    .sort()
}

function readOptional(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

/** `env`: `KEY=VALUE` per line, the value literal (the `\n` conversion is mlb's job). */
function caseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

/** Renders a vector as `mlb serve --dry` would (fixtures/conformance/README.md "How a case runs"). */
function render(name: string): GeneratedConfig {
  const dir = join(CASES_DIR, name)
  const extra = readOptional(join(dir, 'args')).split('\n').filter((l) => l !== '')
  const env = caseEnv(readOptional(join(dir, 'env')))
  const group = extra.includes('--group') ? [] : ['--group', '*']
  const argv = ['--marathon', 'http://127.0.0.1:1', '--dry', '--haproxy-config', '/marathon-lb/haproxy.cfg', '--syslog-socket', '/dev/null', ...group, ...extra]
  const options = serveOptionsFrom(parseArgs(SERVE_FLAGS, argv), env).generate
  return generateConfig({
    marathon: JSON.parse(readFileSync(join(dir, 'apps.json'), 'utf8')) as unknown,
    options,
    templates: loadTemplateSet({env, cwd: dir}),
    hostIps: new Map(),
  })
}

function haproxyCheck(cfgFile: string): {ok: boolean; output: string} {
  try {
    return {ok: true, output: execFileSync('haproxy', ['-c', '-f', cfgFile], {encoding: 'utf8', stdio: 'pipe', timeout: 20_000})}
  } catch (err) {
    const e = err as {stdout?: string; stderr?: string}
    return {ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`}
  }
}

/** The ALERT lines that say what is wrong (not the closing "errors found" summaries). */
function causes(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.includes('[ALERT]'))
    .filter((l) => !/Error\(s\) found in configuration file|Fatal errors found in configuration/.test(l))
}

describe('every accepted conformance vector passes haproxy -c', () => {
  let tmp = ''
  let certFile = ''
  let caFile = ''
  const names = caseNames()
  const checked = names.filter((n) => !existsSync(join(CASES_DIR, n, 'expected.rc')))

  beforeAll(() => {
    requireHaproxy()
    tmp = mkdtempSync(join(tmpdir(), 'mlb-conf-check-'))
    const key = join(tmp, 'key.pem')
    caFile = join(tmp, 'crt.pem')
    // One certificate for every `crt` (EC: much faster to generate than RSA); it is its own CA.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-days', '2', '-keyout', key, '-out', caFile], {stdio: 'pipe'})
    certFile = join(tmp, 'cert.pem')
    writeFileSync(certFile, readFileSync(caFile, 'utf8') + readFileSync(key, 'utf8'))
    writeFileSync(join(tmp, 'errorfile.http'), 'HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nunavailable\n')
  })

  afterAll(() => {
    if (tmp !== '') rmSync(tmp, {recursive: true, force: true})
  })

  /** Points every file the configuration names at a file of the temp folder. */
  function localise(name: string, out: GeneratedConfig): string {
    const caseDir = join(tmp, name)
    mkdirSync(caseDir)
    const lua = luaDir()
    return out.config
      .replace(/(\b(?:crt|ca-file|ca-verify-file)\s+)\S+/g, (_m, k: string) => `${k}${k.startsWith('crt') ? certFile : caFile}`)
      .replace(/^(\s*lua-load(?:-per-thread)?\s+)(\S+)/gm, (_m, k: string, p: string) => {
        const own = join(lua, basename(p))
        if (existsSync(own)) return `${k}${own}`
        const stub = join(caseDir, basename(p))
        writeFileSync(stub, '')
        return `${k}${stub}`
      })
      .replace(/\b(map(?:_\w+)?\()([^,)]+)/g, (_m, k: string, p: string) => {
        const file = join(caseDir, basename(p))
        const body = basename(p) === 'domain2backend.map' ? out.domainMap : basename(p) === 'app2backend.map' ? out.appMap : ''
        writeFileSync(file, body)
        return `${k}${file}`
      })
      .replace(/^(\s*errorfile\s+\d+\s+)\S+/gm, (_m, k: string) => `${k}${join(tmp, 'errorfile.http')}`)
  }

  it('finds the vectors, and both lists name only vectors that are checked', () => {
    expect(checked.length).toBeGreaterThan(40)
    for (const n of [...Object.keys(ALLOW_LIST), ...Object.keys(PINNED_BY_THE_VECTOR)]) expect(checked).toContain(n)
  })

  for (const name of checked) {
    it(name, () => {
      const out = render(name)
      // Same bytes as the conformance runners compare: this is the vector's configuration.
      const relax = parseRelaxations(readOptional(join(CASES_DIR, name, 'compare')))
      expect(normalizeConfig(out.config, relax)).toBe(normalizeConfig(readFileSync(join(CASES_DIR, name, 'expected.cfg'), 'utf8'), relax))

      const text = localise(name, out)
      expect(text, 'a file path was left pointing outside the temp folder').not.toMatch(/\b(crt|ca-file|lua-load)\s+\/(etc|marathon-lb)\//)
      const file = join(tmp, `${name}.cfg`)
      writeFileSync(file, text)
      const check = haproxyCheck(file)
      const rejected = ALLOW_LIST[name] ?? PINNED_BY_THE_VECTOR[name]
      if (rejected === undefined) {
        expect(check.output).not.toMatch(/\[ALERT\]/)
        expect(check.ok, check.output).toBe(true)
        return
      }
      // Still rejected, and only for the listed reason.
      expect(check.ok, `${name} is accepted now: remove it from the list (${rejected.why})`).toBe(false)
      const found = causes(check.output)
      for (const re of rejected.alerts) expect(found.some((l) => re.test(l)), `${re} in:\n${check.output}`).toBe(true)
      for (const l of found) expect(rejected.alerts.some((re) => re.test(l)), `unexpected ALERT: ${l}`).toBe(true)
    })
  }
})
