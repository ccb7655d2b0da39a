import {describe, expect, it} from 'vitest'

import {parsePid} from '../../src/pid-file.js'
import {classifyMaster, isHaproxy, isMlbServe, masterFilesOf, parseNulList, parseStat, type MasterFiles, type PreviousMaster, type ProcInfo} from '../../src/serve/instance.js'

const FILES: MasterFiles = {masterSocket: '/run/h/master.sock', pidFile: '/run/h/haproxy.pid'}
const MASTER_ARGV = ['haproxy', '-W', '-S', '/run/h/master.sock,mode,600', '-f', '/etc/haproxy.cfg', '-p', '/run/h/haproxy.pid']
const SELF = 4242

function proc(pid: number, argv: readonly string[], more: Partial<ProcInfo> = {}): ProcInfo {
  return {pid, ppid: 1, startTime: '1000', argv, exe: '/usr/sbin/haproxy', cwd: '/', ...more}
}

const master = (more: Partial<ProcInfo> = {}): ProcInfo => proc(100, MASTER_ARGV, {env: new Map([['MLB_PID_FILE', '/run/mlb.pid']]), ...more})
const init = proc(1, ['/sbin/tini', '--', 'mlb'], {exe: '/sbin/tini'})

describe('parsePid', () => {
  const cases: ReadonlyArray<{desc: string; input: string; expected: number | undefined}> = [
    {desc: 'a pid and a newline', input: '1234\n', expected: 1234},
    {desc: 'blanks around it', input: '  77 ', expected: 77},
    {desc: 'empty', input: '', expected: undefined},
    {desc: 'zero', input: '0\n', expected: undefined},
    {desc: 'negative', input: '-5', expected: undefined},
    {desc: 'two numbers', input: '12 13', expected: undefined},
    {desc: 'garbage', input: 'abc', expected: undefined},
  ]
  for (const c of cases) it(c.desc, () => expect(parsePid(c.input)).toBe(c.expected))
})

describe('parseNulList', () => {
  it('splits /proc cmdline and drops the NUL padding a process title leaves', () => {
    expect(parseNulList('node\0/opt/mlb/bin/run.js\0serve\0')).toEqual(['node', '/opt/mlb/bin/run.js', 'serve'])
    expect(parseNulList(`mlb serve${'\0'.repeat(40)}`)).toEqual(['mlb serve'])
  })
})

describe('parseStat', () => {
  // A real line's fields after the session id: starttime (field 22) is 3173669.
  const tail = '0 -1 4194304 1964 0 4 0 2 1 0 0 20 0 1 0 3173669 97890304 3113'
  const cases: ReadonlyArray<{desc: string; input: string; expected: ReturnType<typeof parseStat>}> = [
    {desc: 'a plain name', input: `27192 (haproxy) S 27188 27188 26207 ${tail}`, expected: {state: 'S', ppid: 27188, startTime: '3173669'}},
    {desc: 'a name with spaces and parentheses', input: `9 (a) (b c) Z 1 9 9 ${tail}`, expected: {state: 'Z', ppid: 1, startTime: '3173669'}},
    {desc: 'truncated', input: '9 (x) S 1', expected: undefined},
  ]
  for (const c of cases) it(c.desc, () => expect(parseStat(c.input)).toEqual(c.expected))
})

describe('isMlbServe', () => {
  const cases: ReadonlyArray<{desc: string; argv: readonly string[]; expected: boolean}> = [
    {desc: 'the process title', argv: ['mlb serve'], expected: true},
    {desc: 'node bin/run.js serve', argv: ['node', '/opt/mlb/bin/run.js', 'serve', '--marathon', 'http://m:8080'], expected: true},
    {desc: 'a relative bin/run.js with node options', argv: ['node', '--enable-source-maps', 'bin/run.js', 'serve'], expected: true},
    {desc: 'the installed mlb script', argv: ['node', '/usr/local/bin/mlb', 'serve'], expected: true},
    {desc: 'mlb zdd', argv: ['node', '/opt/mlb/bin/run.js', 'zdd'], expected: false},
    {desc: 'the zdd title', argv: ['mlb zdd'], expected: false},
    {desc: 'another title starting alike', argv: ['mlb serverless'], expected: false},
    {desc: 'serve not after the entry point', argv: ['node', '/opt/mlb/bin/run.js', '--x', 'serve'], expected: false},
    {desc: 'another program named run.js', argv: ['node', '/srv/app/run.js', 'serve'], expected: false},
    {desc: 'an unrelated program', argv: ['python3', '-m', 'http.server'], expected: false},
    {desc: 'an HAProxy whose pid file is mlb.pid', argv: ['haproxy', '-p', '/run/mlb.pid'], expected: false},
    {desc: 'nothing (a kernel thread)', argv: [], expected: false},
  ]
  for (const c of cases) it(c.desc, () => expect(isMlbServe(c.argv)).toBe(c.expected))
})

describe('isHaproxy', () => {
  const cases: ReadonlyArray<{desc: string; p: Pick<ProcInfo, 'argv' | 'exe'>; expected: boolean}> = [
    {desc: 'the executable', p: {argv: ['x'], exe: '/usr/sbin/haproxy'}, expected: true},
    {desc: 'an upgraded (deleted) executable', p: {argv: ['haproxy'], exe: '/usr/sbin/haproxy (deleted)'}, expected: true},
    {desc: 'argv[0] when the executable is unreadable', p: {argv: ['/usr/local/sbin/haproxy-2.6'], exe: undefined}, expected: true},
    {desc: 'the executable wins over argv[0]', p: {argv: ['haproxy'], exe: '/usr/bin/python3'}, expected: false},
    {desc: 'another program', p: {argv: ['sleep', '100'], exe: '/usr/bin/sleep'}, expected: false},
  ]
  for (const c of cases) it(c.desc, () => expect(isHaproxy(c.p)).toBe(c.expected))
})

describe('masterFilesOf', () => {
  const cases: ReadonlyArray<{desc: string; argv: readonly string[]; cwd: string | undefined; expected: ReturnType<typeof masterFilesOf>}> = [
    {desc: 'the supervisor command line', argv: MASTER_ARGV, cwd: '/', expected: FILES},
    {desc: 'the re-executed 2.6 master', argv: ['haproxy', '-sf', '12', '-x', 'sockpair@3', ...MASTER_ARGV.slice(1)], cwd: '/', expected: FILES},
    {desc: 'relative paths, resolved against its cwd', argv: ['haproxy', '-W', '-S', 'run/master.sock,mode,600', '-p', 'run/haproxy.pid'], cwd: '/srv', expected: {masterSocket: '/srv/run/master.sock', pidFile: '/srv/run/haproxy.pid'}},
    {desc: 'relative paths and an unknown cwd', argv: ['haproxy', '-W', '-S', 'run/master.sock', '-p', '/run/h/haproxy.pid'], cwd: undefined, expected: {pidFile: '/run/h/haproxy.pid'}},
    {desc: 'no such flags', argv: ['haproxy', '-c', '-f', '/etc/haproxy.cfg'], cwd: '/', expected: {}},
  ]
  for (const c of cases) it(c.desc, () => expect(masterFilesOf(c.argv, c.cwd)).toEqual(c.expected))
})

describe('classifyMaster', () => {
  const cases: ReadonlyArray<{desc: string; p: ProcInfo; parent: ProcInfo | undefined; owner?: number; expected: PreviousMaster}> = [
    {desc: 'an orphan (reparented to init)', p: master(), parent: init, expected: {kind: 'orphan', pid: 100, startTime: '1000'}},
    {desc: 'an orphan reparented to a subreaper', p: master({ppid: 50}), parent: proc(50, ['systemd', '--user'], {exe: '/usr/lib/systemd/systemd'}), expected: {kind: 'orphan', pid: 100, startTime: '1000'}},
    {desc: 'an orphan reparented to us (mlb as pid 1)', p: master({ppid: SELF}), parent: proc(SELF, ['mlb serve'], {exe: '/usr/bin/node'}), expected: {kind: 'orphan', pid: 100, startTime: '1000'}},
    {desc: 'the master of a running mlb serve', p: master({ppid: 77}), parent: proc(77, ['mlb serve'], {exe: '/usr/bin/node'}), expected: {kind: 'owned', pid: 100, owner: 77}},
    {desc: 'the master of an mlb embedded in another program (its MLB_PID_FILE names the parent)', p: master({ppid: 78}), parent: proc(78, ['node', 'vitest'], {exe: '/usr/bin/node'}), owner: 78, expected: {kind: 'owned', pid: 100, owner: 78}},
    {desc: 'a worker', p: master({ppid: 99}), parent: proc(99, MASTER_ARGV), expected: {kind: 'unidentified', pid: 100, reason: 'it is a worker, not a master'}},
    {desc: 'an HAProxy not started by mlb', p: master({env: new Map()}), parent: init, expected: {kind: 'unidentified', pid: 100, reason: 'it was not started by mlb (no MLB_PID_FILE)'}},
    {desc: 'an environment it cannot read', p: master({env: undefined}), parent: init, expected: {kind: 'unidentified', pid: 100, reason: 'its environment is not readable'}},
    {desc: 'an HAProxy of another run dir', p: master({argv: MASTER_ARGV.map((a) => a.replace('/run/h/', '/run/other/'))}), parent: init, expected: {kind: 'none'}},
    {desc: 'an HAProxy without master-worker mode', p: master({argv: MASTER_ARGV.filter((a) => a !== '-W')}), parent: init, expected: {kind: 'none'}},
    {desc: 'a reused pid (another program)', p: master({exe: '/usr/bin/sleep', argv: ['sleep', '100']}), parent: init, expected: {kind: 'none'}},
  ]
  for (const c of cases) it(c.desc, () => expect(classifyMaster(c.p, c.parent, c.owner, FILES, SELF)).toEqual(c.expected))
})
