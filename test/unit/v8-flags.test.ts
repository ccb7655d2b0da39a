import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {ONE_SHOT_V8_FLAGS, PROCESS_V8_FLAGS} from '../../src/v8-flags.js'

// v8.setFlagsFromString ignores a flag V8 does not know (it only prints a line on stderr), so a
// flag renamed in a later Node would silently stop working, and every mlb process would print
// that line. Node's command line refuses unknown flags, which makes it the check.
describe('V8 settings of every mlb process', () => {
  it.each([...PROCESS_V8_FLAGS, ...ONE_SHOT_V8_FLAGS])('%s is a flag this Node accepts', (flag) => {
    const r = spawnSync(process.execPath, [flag, '-e', '0'], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('a misspelt flag is refused, so the check above can fail', () => {
    const r = spawnSync(process.execPath, ['--max-inlined-bytecode-size-cumulativ=300', '-e', '0'], {encoding: 'utf8'})
    expect(r.status).not.toBe(0)
  })
})
