import {describe, expect, it} from 'vitest'
import {checkErrors, formatCheckMessages, parseCheckOutput} from '../../src/haproxy/check-output.js'
import {judgeReload, parseShowProc, parseUptime, procPids} from '../../src/haproxy/proc.js'
import {shlexSplit} from '../../src/haproxy/shlex.js'
import {shouldReissue} from '../../src/haproxy/reload.js'

// Output captured from HAProxy 2.6.12 (Debian) on this project's machine.
const CHECK_STDERR = [
  '[NOTICE]   (11458) : haproxy version is 2.6.12-1+deb12u4',
  '[NOTICE]   (11458) : path to executable is /usr/sbin/haproxy',
  "[ALERT]    (11458) : config : [b.cfg:10] : 'server b/s1' : unexpected character 'f' in 'agent-inter' argument of server s1..",
  "[ALERT]    (11458) : config : Parsing [b.cfg:11]: backend 'b' has the same name as backend 'b' declared at b.cfg:9.",
  "[ALERT]    (11415) : config : parsing [a.cfg:18] : unknown keyword 'bogus_directive' in 'backend' section",
  "[ALERT]    (11586) : config : Proxy 'f': unable to find required default_backend: 'nope'.",
  '[ALERT]    (11458) : config : Error(s) found in configuration file : b.cfg',
  '[ALERT]    (11458) : config : Fatal errors found in configuration.',
  "[WARNING]  (11463) : config : missing timeouts for frontend 'f'.",
  '   | While not properly invalid, you will certainly encounter various problems',
  "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
  '',
].join('\n')

describe('parseCheckOutput', () => {
  it('turns ALERT and WARNING lines into entries with line, file and proxy', () => {
    expect(parseCheckOutput(CHECK_STDERR)).toEqual([
      {severity: 'alert', file: 'b.cfg', line: 10, proxy: 'b', message: "'server b/s1' : unexpected character 'f' in 'agent-inter' argument of server s1.."},
      {severity: 'alert', file: 'b.cfg', line: 11, proxy: 'b', message: "backend 'b' has the same name as backend 'b' declared at b.cfg:9."},
      {severity: 'alert', file: 'a.cfg', line: 18, message: "unknown keyword 'bogus_directive' in 'backend' section"},
      {severity: 'alert', proxy: 'f', message: "Proxy 'f': unable to find required default_backend: 'nope'."},
      {
        severity: 'warning',
        proxy: 'f',
        message:
          "missing timeouts for frontend 'f'. While not properly invalid, you will certainly encounter various problems timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
      },
    ])
  })

  it('reports a synthetic error when HAProxy failed without an alert, and formats entries', () => {
    expect(checkErrors(parseCheckOutput('[NOTICE] (1) : x\n'), 'haproxy -c timed out')).toEqual([
      {severity: 'alert', message: 'haproxy -c timed out'},
    ])
    const [first, , third] = parseCheckOutput(CHECK_STDERR)
    expect(formatCheckMessages([first!, third!])).toBe(
      "line 10: 'server b/s1' : unexpected character 'f' in 'agent-inter' argument of server s1..; line 18: unknown keyword 'bogus_directive' in 'backend' section",
    )
  })
})

const PROC_IDLE = `#<PID>          <type>          <reloads>       <uptime>        <version>      
11686           master          0 [failed: 0]   0d00h00m01s     2.6.12-1+deb12u4
# workers
11689           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# programs

`
const PROC_DRAINING = `#<PID>          <type>          <reloads>       <uptime>        <version>      
11686           master          2 [failed: 0]   0d00h20m41s     2.6.12-1+deb12u4
# workers
10477           worker          0               0d00h00m02s     2.6.12-1+deb12u4
# old workers
24650           worker          1               1d02h10m38s     2.6.12-1+deb12u4
# programs

`
const PROC_FAILED = `#<PID>          <type>          <reloads>       <uptime>        <version>      
11686           master          3 [failed: 1]   0d00h20m45s     2.6.12-1+deb12u4
# workers
10477           worker          1               0d00h00m06s     2.6.12-1+deb12u4
# old workers
24650           worker          2               0d00h10m42s     2.6.12-1+deb12u4
# programs

`

describe('parseShowProc', () => {
  it('parses master, workers and old workers with reload counters and ages', () => {
    const t = parseShowProc(PROC_DRAINING)
    expect(t.master).toEqual({pid: 11686, type: 'master', reloads: 2, failedReloads: 0, uptimeSec: 1241, version: '2.6.12-1+deb12u4'})
    expect(t.workers).toEqual([{pid: 10477, type: 'worker', reloads: 0, uptimeSec: 2, version: '2.6.12-1+deb12u4'}])
    expect(t.oldWorkers).toEqual([{pid: 24650, type: 'worker', reloads: 1, uptimeSec: 94_238, version: '2.6.12-1+deb12u4'}])
    expect(procPids(t)).toEqual([11686, 10477, 24650])
  })

  it('rejects text without a master line and malformed uptimes', () => {
    expect(() => parseShowProc('Unknown command.\n')).toThrow(/no master line/)
    expect(parseUptime('12s')).toBeUndefined()
  })
})

describe('judgeReload', () => {
  const cases = [
    {desc: 'new worker and counter advanced', before: PROC_IDLE, after: PROC_DRAINING, expected: {kind: 'ok', worker: 10477}},
    {desc: 'nothing happened yet', before: PROC_IDLE, after: PROC_IDLE, expected: {kind: 'pending'}},
    {desc: 'failed counter advanced', before: PROC_DRAINING, after: PROC_FAILED, expected: {kind: 'failed', failedReloads: 1}},
  ]
  for (const tc of cases) {
    it(tc.desc, () => {
      expect(judgeReload(parseShowProc(tc.before), parseShowProc(tc.after))).toEqual(tc.expected)
    })
  }
})

describe('shlexSplit', () => {
  const cases: {input: string; expected: string[]}[] = [
    {input: '/marathon-lb/reload_haproxy.sh', expected: ['/marathon-lb/reload_haproxy.sh']},
    {input: "  sv  reload '/a b/c' ", expected: ['sv', 'reload', '/a b/c']},
    {input: 'sh -c "echo \\"hi\\" $x"', expected: ['sh', '-c', 'echo "hi" $x']},
    {input: 'a\\ b c#d', expected: ['a b', 'c#d']},
    {input: `x''y ""`, expected: ['xy', '']},
  ]
  for (const tc of cases) it(JSON.stringify(tc.input), () => expect(shlexSplit(tc.input)).toEqual(tc.expected))
  it('throws on an unterminated quote', () => expect(() => shlexSplit('a "b')).toThrow('No closing quotation'))
})

describe('shouldReissue (--max-reload-retries, spec §6.6 with the 0 quirk fixed)', () => {
  const cases = [
    {desc: '10 retries: re-issue at checkpoints 1..9, give up at 10', max: 10, expected: [true, true, true, true, true, true, true, true, true, false]},
    {desc: '0: never re-issue (gives up at the first checkpoint)', max: 0, expected: [false, false]},
    {desc: '1: give up at the first checkpoint', max: 1, expected: [false]},
    {desc: 'negative: re-issue forever', max: -1, expected: [true, true, true]},
  ]
  for (const tc of cases) {
    it(tc.desc, () => expect(tc.expected.map((_, i) => shouldReissue(tc.max, i + 1))).toEqual(tc.expected))
  }
})
