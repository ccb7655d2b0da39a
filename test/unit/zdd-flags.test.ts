import {Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {zddArgv, ZDD_FLAGS} from '../../src/cli/zdd-flags.js'
import {UsageError} from '../../src/errors.js'
import {runCli} from '../cli-run.js'

/** zdd.py's own long flags (spec §8.1 and the shared §1.2 ones): all of mlb zdd's but mlb's --output and --deploy-timeout. */
const ZDD_PY = Object.keys(ZDD_FLAGS).filter((name) => name !== 'output' && name !== 'deploy-timeout')

describe('mlb zdd takes the long-option prefixes zdd.py (argparse) took', () => {
  it('every prefix that named one zdd.py flag still names it', async () => {
    let checked = 0
    for (const name of ZDD_PY) {
      for (let len = 1; len < name.length; len++) {
        const prefix = name.slice(0, len)
        if (ZDD_PY.filter((n) => n.startsWith(prefix)).length !== 1) continue
        expect(zddArgv([`--${prefix}`]), prefix).toEqual([`--${name}`])
        checked++
      }
    }
    expect(checked).toBeGreaterThan(50)
  })

  it('a command line of prefixes parses as the whole names do', async () => {
    const argv = ['-j', 'app.json', '--marathon', 'http://m:8080', '--marathon-l', 'http://lb:9090', '--new=2', '--step', '0.5', '--complete-c', '--pre', './hook', '--out', 'ndjson', '--deploy', '600']
    const {flags} = await Parser.parse(zddArgv(argv), {flags: ZDD_FLAGS})
    expect(flags).toMatchObject({'marathon-lb': ['http://lb:9090'], 'new-instances': 2, 'step-delay': 0.5, 'complete-cur': true, 'pre-kill-hook': './hook', output: 'ndjson', 'deploy-timeout': 600})
  })

  it('leaves values, unknown flags and everything after -- alone', () => {
    expect(zddArgv(['-j', 'a.json', '--nope', '--', '--new'])).toEqual(['-j', 'a.json', '--nope', '--', '--new'])
  })

  it('an ambiguous prefix is argparse\'s error, and exit 3 from the CLI', async () => {
    expect(() => zddArgv(['--m', 'x'])).toThrow(new UsageError('ambiguous option: --m could match --marathon, --marathon-lb, --max-wait, --marathon-auth-credential-file, --marathon-ca-cert'))
    const r = await runCli(['zdd', '--complete', '-j', 'x.json'])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('zdd: error: ambiguous option: --complete could match --complete-cur, --complete-prev')
  })
})
