import {describe, expect, it} from 'vitest'

import {parseArgs, type FlagSpec} from '../../src/cli/argparse.js'
import {formatHelp} from '../../src/cli/argparse-help.js'
import {SERVE_FLAGS} from '../../src/cli/serve-flags.js'
import {UsageError} from '../../src/errors.js'

function values(argv: string[]): Record<string, unknown> {
  return Object.fromEntries(parseArgs(SERVE_FLAGS, argv).values)
}

function usageError(argv: string[]): string {
  try {
    parseArgs(SERVE_FLAGS, argv)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).exit).toBe(2)
    return (err as Error).message
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`)
}

describe('argparse-compatible parsing (spec §1)', () => {
  const ok: {desc: string; argv: string[]; expected: Record<string, unknown>}[] = [
    {desc: 'space-separated value', argv: ['--haproxy-config', '/x.cfg'], expected: {'haproxy-config': '/x.cfg'}},
    {desc: '--flag=value', argv: ['--haproxy-config=/x.cfg'], expected: {'haproxy-config': '/x.cfg'}},
    {desc: 'unambiguous prefix', argv: ['--haproxy-c', '/x.cfg', '--strict'], expected: {'haproxy-config': '/x.cfg', 'strict-mode': true}},
    {desc: 'prefix with =', argv: ['--log-l=info'], expected: {'log-level': 'info'}},
    {desc: 'nargs=+ after one flag', argv: ['-m', 'http://a:8080', 'http://b:8080', '--dry'], expected: {marathon: ['http://a:8080', 'http://b:8080'], dry: true}},
    {desc: 'repeated --marathon accumulates', argv: ['-m', 'http://a', '--marathon', 'http://b'], expected: {marathon: ['http://a', 'http://b']}},
    {desc: 'append', argv: ['--group', 'a', '--group', 'b'], expected: {group: ['a', 'b']}},
    {desc: 'attached short value', argv: ['-mhttp://a'], expected: {marathon: ['http://a']}},
    {desc: 'short with =', argv: ['-m=http://a'], expected: {marathon: ['http://a']}},
    {desc: 'combined short switches', argv: ['-Hds'], expected: {'health-check': true, dry: true, sse: true}},
    {desc: 'negative int value', argv: ['--max-reload-retries', '-1'], expected: {'max-reload-retries': -1}},
    {desc: 'int with spaces', argv: ['--reload-interval', ' 7 '], expected: {'reload-interval': 7}},
    {desc: 'last string wins', argv: ['--log-level', 'info', '--log-level', 'warning'], expected: {'log-level': 'warning'}},
    {desc: "group '*'", argv: ['--group', '*'], expected: {group: ['*']}},
  ]
  for (const c of ok) {
    it(`parses: ${c.desc}`, () => {
      expect(values(c.argv)).toEqual(c.expected)
    })
  }

  const bad: {desc: string; argv: string[]; message: string}[] = [
    {desc: 'unknown option', argv: ['--bogus', '--dry'], message: 'unrecognized arguments: --bogus'},
    {desc: 'unknown option with a value (which may be a secret)', argv: ['--marathon-auth-credentials=alice:S3cr3t', '--dry'], message: 'unrecognized arguments: --marathon-auth-credentials=***'},
    {desc: 'ambiguous prefix (--gro: --group or --group-https-by-vhost)', argv: ['--gro', 'x'], message: 'ambiguous option: --gro could match --group, --group-https-by-vhost'},
    {desc: 'ambiguous prefix', argv: ['--haproxy'], message: 'ambiguous option: --haproxy could match --haproxy-config, --haproxy-map, --haproxy-bin, --haproxy-run-dir, --haproxy-state-dir, --haproxy-maxconn, --haproxy-global'},
    {desc: 'missing value', argv: ['--haproxy-config'], message: 'argument --haproxy-config: expected one argument'},
    {desc: 'value that looks like an option', argv: ['--haproxy-config', '--dry'], message: 'argument --haproxy-config: expected one argument'},
    {desc: 'nargs=+ without values', argv: ['-m', '--dry'], message: 'argument --marathon/-m: expected at least one argument'},
    {desc: 'bad int', argv: ['--max-backoff', 'ten'], message: "argument --max-backoff: invalid int value: 'ten'"},
    {desc: 'explicit value on a switch', argv: ['--dry=yes'], message: "argument --dry/-d: ignored explicit argument 'yes'"},
  ]
  for (const c of bad) {
    it(`rejects: ${c.desc}`, () => {
      expect(usageError(c.argv)).toBe(c.message)
    })
  }

  it('recognises -h and --help prefixes', () => {
    expect(parseArgs(SERVE_FLAGS, ['-h']).help).toBe(true)
    expect(parseArgs(SERVE_FLAGS, ['--hel']).help).toBe(true)
    expect(usageError(['--he'])).toBe('ambiguous option: --he could match --help, --health-check')
  })

  it('leaves positionals to the caller (the container mode argument)', () => {
    expect(parseArgs(SERVE_FLAGS, ['sse', '--dry', 'extra']).positionals).toEqual([
      {index: 0, value: 'sse'},
      {index: 2, value: 'extra'},
    ])
  })

  it('keeps arguments after -- as positionals', () => {
    expect(parseArgs(SERVE_FLAGS, ['--', '--dry']).positionals).toEqual([{index: 1, value: '--dry'}])
  })
})

describe("long-option prefixes: mlb's extension flags never take one of marathon-lb's", () => {
  // marathon-lb's own flags (spec §1.1 and §1.2) and argparse's --help: the flags not marked as mlb's extensions
  const original = SERVE_FLAGS.filter((f) => f.extension !== true)
  const originalNames = ['help', ...original.map((f) => f.name)]
  const extensionNames = SERVE_FLAGS.filter((f) => f.extension === true).map((f) => f.name)

  /** Every prefix of `--name` that marathon-lb's argparse resolved to it. */
  function marathonLbPrefixes(name: string): string[] {
    const prefixes = Array.from({length: name.length}, (_, i) => name.slice(0, i + 1))
    return prefixes.filter((p) => p === name || originalNames.filter((n) => n.startsWith(p)).length === 1)
  }

  /** A command line using `--prefix` for `spec`, with a value it accepts. */
  function argvFor(prefix: string, spec: FlagSpec): string[] {
    if (spec.kind === 'switch') return [`--${prefix}`]
    return [`--${prefix}`, spec.kind === 'int' ? '7' : 'x']
  }

  it('knows the 29 flags of spec §1.1 and §1.2 as marathon-lb\'s', () => {
    expect(original).toHaveLength(29)
    for (const f of SERVE_FLAGS) expect(f.help.startsWith('mlb:'), `--${f.name}`).toBe(f.extension === true)
  })

  it('resolves every prefix that was unambiguous among marathon-lb\'s flags to that flag', () => {
    const shadowed = original.flatMap((f) => marathonLbPrefixes(f.name).map((p) => ({p, f})))
    // the cases that broke when mlb added its flags are among them
    expect(shadowed.map((c) => c.p)).toEqual(expect.arrayContaining(['st', 'c', 'co', 'haproxy-m', 'haproxy-ma']))
    for (const {p, f} of shadowed) expect(Object.keys(values(argvFor(p, f))), `--${p}`).toEqual([f.name])
    for (const p of marathonLbPrefixes('help')) expect(parseArgs(SERVE_FLAGS, [`--${p}`]).help, `--${p}`).toBe(true)
  })

  const named: {desc: string; argv: string[]; expected: Record<string, unknown>}[] = [
    {desc: '--st is --strict-mode, not --stats-bind', argv: ['--st'], expected: {'strict-mode': true}},
    {desc: '--c is --command, not --container', argv: ['--c', 'reload'], expected: {command: 'reload'}},
    {desc: '--co is --command, not --container', argv: ['--co=reload'], expected: {command: 'reload'}},
    {desc: '--haproxy-m is --haproxy-map, not --haproxy-maxconn', argv: ['--haproxy-m'], expected: {'haproxy-map': true}},
    {desc: '--haproxy-ma is --haproxy-map, not --haproxy-maxconn', argv: ['--haproxy-ma'], expected: {'haproxy-map': true}},
    {desc: 'an exact extension name still wins', argv: ['--container', '--haproxy-maxconn', '9'], expected: {container: true, 'haproxy-maxconn': 9}},
    {desc: 'a prefix only an extension has', argv: ['--stats', ':9'], expected: {'stats-bind': ':9'}},
  ]
  for (const c of named) {
    it(c.desc, () => {
      expect(values(c.argv)).toEqual(c.expected)
    })
  }

  it('keeps a prefix ambiguous when only extensions, or several marathon-lb flags, share it', () => {
    expect(extensionNames).toEqual(expect.arrayContaining(['http-bind', 'https-bind']))
    expect(usageError(['--http', ':80'])).toBe('ambiguous option: --http could match --http-bind, --https-bind')
    expect(usageError(['--max', '1'])).toBe('ambiguous option: --max could match --max-reload-retries, --max-serv-port-ip-per-task, --max-backoff')
  })
})

describe('argparse-style help', () => {
  it('lists every flag with short form, metavar and default, wrapped at 78 columns', () => {
    const text = formatHelp('mlb serve', 'Marathon HAProxy Load Balancer', SERVE_FLAGS)
    expect(text.startsWith('usage: mlb serve [-h] [--longhelp] [--marathon MARATHON [MARATHON ...]]')).toBe(true)
    expect(text).toContain('  --marathon MARATHON [MARATHON ...], -m MARATHON [MARATHON ...]\n')
    expect(text.replace(/\s+/g, ' ')).toContain("(default: ['http://master.mesos:8080'])")
    expect(text).toContain('  --dry, -d             Only print configuration to console (default: False)')
    for (const f of SERVE_FLAGS) expect(text).toContain(`--${f.name}`)
    // help paragraphs wrap at 78 columns; only long invocations (on their own line) may be longer
    for (const line of text.split('\n').filter((l) => l.startsWith(' '.repeat(24)))) expect(line.length).toBeLessThanOrEqual(78)
    expect(text).not.toMatch(/private_key/)
  })
})
