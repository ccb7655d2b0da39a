import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {validateConfig} from '../../src/haproxy/validate.js'
import {checkCandidate, defaultLayout} from '../../src/haproxy/stage.js'
import {findInvalidUnits} from '../../src/haproxy/bisect.js'
import {requireHaproxy} from '../haproxy-harness.js'

// A listener is needed: without one `haproxy -c` exits 2 ("will not start"), which mlb, like
// marathon-lb, counts as invalid.
const DEFAULTS = 'defaults\n  mode http\n  timeout connect 3s\n  timeout client 30s\n  timeout server 30s\nlisten stats\n  bind 127.0.0.1:1\n'
const backend = (name: string, extra = ''): string => `backend ${name}\n  server ${name}_1 127.0.0.1:8080${extra}\n`

let dir = ''
beforeAll(async () => {
  requireHaproxy()
  dir = await mkdtemp(join(tmpdir(), 'mlb-validate-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('validateConfig (real haproxy -c)', () => {
  it('accepts a valid configuration', async () => {
    const f = join(dir, 'good.cfg')
    await writeFile(f, DEFAULTS + backend('web'))
    const r = await validateConfig(f)
    expect(r.valid).toBe(true)
    expect(r.errors).toEqual([])
  })

  it('rejects a bad one with line numbers and proxy names', async () => {
    const f = join(dir, 'bad.cfg')
    await writeFile(f, DEFAULTS + backend('web') + backend('api', ' check inter foo') + 'backend web2\n  bogus_keyword 1\n')
    const r = await validateConfig(f)
    expect(r.valid).toBe(false)
    expect(r.errors.map((e) => [e.line, e.proxy])).toEqual([
      [11, 'api'],
      [13, undefined],
    ])
    expect(r.errors[1]?.message).toBe("unknown keyword 'bogus_keyword' in 'backend' section")
    expect(r.errors.every((e) => e.file === f)).toBe(true)
  })

  it('reports a missing binary with the install command', async () => {
    const r = await validateConfig(join(dir, 'good.cfg'), {haproxyBin: join(dir, 'no-such-haproxy')})
    expect(r.valid).toBe(false)
    expect(r.errors[0]?.message).toMatch(/apt-get install -y haproxy/)
  })
})

describe('checkCandidate + findInvalidUnits (the daemon’s bisection checker)', () => {
  it('validates new map contents through temp copies and leaves no temp file behind', async () => {
    const layout = defaultLayout(join(dir, 'haproxy.cfg'), true)
    const config = `${DEFAULTS}frontend f\n  bind 127.0.0.1:1\n  use_backend %[req.hdr(host),lower,map(${layout.domainMapFile})]\n${backend('web')}`
    const good = await checkCandidate({config, domainMap: 'a.com web\n', appMap: ''}, layout)
    expect(good.valid).toBe(true)
    const bad = await checkCandidate({config: `${config}  nonsense\n`, domainMap: '', appMap: ''}, layout)
    expect(bad).toMatchObject({valid: false, error: expect.stringMatching(/^line 13: unknown keyword 'nonsense'/)})
    const {readdir} = await import('node:fs/promises')
    expect((await readdir(dir)).filter((f) => f.includes('.mlb-'))).toEqual([])
  })

  it('finds the one bad app among 40 with few haproxy -c runs', async () => {
    const layout = defaultLayout(join(dir, 'haproxy.cfg'), false)
    const apps = Array.from({length: 40}, (_, i) => backend(`app${i}`, i === 23 ? ' not-a-server-option' : ''))
    const render = (subset: readonly string[]): string => DEFAULTS + subset.join('')
    const full = await checkCandidate({config: render(apps), domainMap: '', appMap: ''}, layout)
    expect(full.valid).toBe(false)
    const r = await findInvalidUnits(apps, async (subset) => checkCandidate({config: render(subset), domainMap: '', appMap: ''}, layout), {
      knownInvalid: true,
      ...(full.error ? {fullSetError: full.error} : {}),
    })
    expect(r.invalid.map((i) => apps.indexOf(i.unit))).toEqual([23])
    expect(r.invalid[0]?.error).toMatch(/app23/)
    expect(r.valid).toHaveLength(39)
    expect(r.checks).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(40)) + 1)
    console.log(`bisection: 1 bad app among 40 found with ${r.checks} haproxy -c runs`)
  })
})
