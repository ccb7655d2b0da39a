/**
 * The core's conformance loop: every folder of fixtures/conformance/ rendered in-process by
 * `generateConfig` (no CLI, no HTTP) and compared with marathon-lb's bytes, after the
 * relaxations the fixtures README documents. The CLI helper runs the same cases end to end.
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {RefusedInputError} from '../src/errors.js'
import {generateConfig, type GenerateOptions} from '../src/generate.js'
import {loadTemplateSet} from '../src/templates/load.js'

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'conformance')
const CASES = readdirSync(ROOT, {withFileTypes: true}).filter((d) => d.isDirectory()).map((d) => d.name).sort()

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []
}

/** The case's `args` as GenerateOptions, with the runner's fixed flags (README "How a case runs"). */
function optionsFor(args: readonly string[], env: Readonly<Record<string, string>>): GenerateOptions {
  const groups: string[] = []
  let sslCerts = '/etc/ssl/cert.pem'
  const flags = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    if (a === '--group') groups.push(args[++i] as string)
    else if (a === '--ssl-certs') sslCerts = (args[++i] as string) || '/etc/ssl/cert.pem'
    else if (a.startsWith('--')) flags.add(a)
    else throw new Error(`unexpected argument ${a}`)
  }
  const known = ['--haproxy-map', '--strict-mode', '--health-check', '--dont-bind-http-https', '--group-https-by-vhost']
  for (const f of flags) if (!known.includes(f)) throw new Error(`runner does not know flag ${f}`)
  return {
    groups: groups.length > 0 ? groups : ['*'],
    strictMode: flags.has('--strict-mode'),
    healthCheck: flags.has('--health-check'),
    haproxyMap: flags.has('--haproxy-map'),
    dontBindHttpHttps: flags.has('--dont-bind-http-https'),
    groupHttpsByVhost: flags.has('--group-https-by-vhost'),
    sslCerts: sslCerts.split(','),
    haproxyDir: '/marathon-lb/',
    servicePortRange: {min: 10050, max: 10100},
    frameworkName: env.FRAMEWORK_NAME,
  }
}

const MODERN = /^\s*(rspadd|reqirep|rspirep|http-request (replace-path|replace-uri)|http-response (replace-header|replace-value)|http-response (set-header|add-header) Strict-Transport-Security)\b/

/** README step 3: drop lua-load lines, then apply the case's relaxations. */
export function normalise(cfg: string, relax: ReadonlySet<string>): string {
  let lines = cfg.split('\n').filter((l) => !/^\s*lua-load /.test(l))
  if (relax.has('modern-directives')) lines = lines.filter((l) => !MODERN.test(l))
  if (relax.has('sort-crt')) lines = lines.map(sortCrt)
  if (relax.has('sort-servers')) lines = sortServerRuns(lines)
  return lines.join('\n')
}

function sortCrt(line: string): string {
  const m = /^(\s*bind .*? ssl )((?:crt \S+ ?)+)(.*)$/.exec(line)
  if (m === null) return line
  const crts = (m[2] as string).trim().split(/ (?=crt )/).sort()
  return `${m[1] as string}${crts.join(' ')}${(m[2] as string).endsWith(' ') ? ' ' : ''}${m[3] as string}`
}

function sortServerRuns(lines: readonly string[]): string[] {
  const out: string[] = []
  let run: string[] = []
  for (const l of [...lines, '']) {
    if (l.startsWith('  server ')) run.push(l)
    else {
      out.push(...run.sort(), l)
      run = []
    }
  }
  return out.slice(0, -1)
}

describe('conformance vectors, in-process', () => {
  it('has cases', () => expect(CASES.length).toBeGreaterThan(40))
  for (const name of CASES) {
    it(name, () => {
      const dir = join(ROOT, name)
      const env = Object.fromEntries(readLines(join(dir, 'env')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      const options = optionsFor(readLines(join(dir, 'args')), env)
      const marathon = JSON.parse(readFileSync(join(dir, 'apps.json'), 'utf8')) as unknown
      const run = (): string => generateConfig({marathon, options, templates: loadTemplateSet({env, cwd: dir}), hostIps: new Map()}).config
      if (existsSync(join(dir, 'expected.rc'))) {
        expect(run).toThrow(RefusedInputError)
        return
      }
      const relax = new Set(readLines(join(dir, 'compare')).flatMap((l) => l.split(/\s+/)))
      const expected = readFileSync(join(dir, 'expected.cfg'), 'utf8')
      const actual = run()
      expect(normalise(actual, relax)).toBe(normalise(expected, relax))
      // mlb is deterministic: a second run gives the same bytes.
      expect(run()).toBe(actual)
    })
  }
})
