import {describe, expect, it} from 'vitest'
import {backendName, cleanedUpAppId, cleanedUpHostname, cookieHash, sanitize, serverId, serverIds, serverName} from '../../src/model/naming.js'

describe('naming (spec §5.6)', () => {
  const cases: {desc: string; actual: () => string; expected: string}[] = [
    {desc: 'sanitize replaces each non [A-Za-z0-9-] code point', actual: () => sanitize('a.b/c:d*e f_g-h é'), expected: 'a_b_c_d_e_f_g-h__'},
    {desc: 'backend name: app id without first char, / → _', actual: () => backendName('/shop/web', 10001), expected: 'shop_web_10001'},
    {desc: 'backend name keeps dots (quirk §10.9)', actual: () => backendName('/a.b/c', 10000), expected: 'a.b_c_10000'},
    {desc: 'cleanedUpHostname sanitizes the vhost only', actual: () => cleanedUpHostname('shop.example.com', '/shop/web'), expected: 'shop_example_com_shop_web'},
    {desc: 'cleanedUpAppId sanitizes the full id', actual: () => cleanedUpAppId('/nginx'), expected: '_nginx'},
    {desc: 'server name with host != ip', actual: () => serverName('agent1', '1.1.1.1', 1024), expected: 'agent1_1_1_1_1_1024'},
    {desc: 'server name with host given as IP', actual: () => serverName('10.0.2.148', '10.0.2.148', 1565), expected: '10_0_2_148_1565'},
    {desc: 'cookie: first 10 hex of SHA-1', actual: () => cookieHash('agent1_1_1_1_1_1024'), expected: 'd6ad48c81f'},
  ]
  for (const c of cases) it(c.desc, () => expect(c.actual()).toBe(c.expected))
})

describe('server ids (spec §5.7 reference values)', () => {
  const single: [string, number][] = [
    ['0', 17068], ['1', 25733], ['a', 25929], ['10_0_6_25_23336', 14676],
    ['agent1_1_1_1_1_1024', 28363], ['agent1_192_0_2_1_1234', 15582], ['agent2_2_2_2_2_1025', 5918],
  ]
  for (const [name, id] of single) it(`${name} → ${id}`, () => expect(serverIds([name])).toEqual([id]))

  it('avoids zero ids', () => {
    expect(serverIds(['uudnntiqtd'])).toEqual([26825])
    expect(serverIds(['rghtavdepy'])).toEqual([5030])
  })

  it('resolves a collision chain in assignment order', () => {
    const names = ['yftjqzplpu', 'ttccbfrdhi', 'ilvparharq', 'gpagkxfzou', 'dcsfcvfolh', 'tsqkugaath']
    expect(serverIds(names)).toEqual([28876, 7893, 22002, 21805, 20892, 25675])
  })

  it('gives duplicate names distinct ids and is stable across runs', () => {
    const names = ['x_1', 'x_1', 'y_2']
    const ids = serverIds(names)
    expect(new Set(ids).size).toBe(3)
    expect(serverIds(names)).toEqual(ids)
  })

  it('keeps 5,000 names of one backend unique', () => {
    const ids = serverIds(Array.from({length: 5000}, (_, i) => `10_0_${i % 250}_${i}_31000`))
    expect(new Set(ids).size).toBe(5000)
    expect(ids.every((i) => i > 0 && i < 32767)).toBe(true)
  })

  it('refuses an empty name', () => expect(() => serverId('', new Set())).toThrow(/empty/))

  it('sanitizes exactly as the spec rule, one `_` per code point outside [A-Za-z0-9-]', () => {
    const rule = (s: string): string => s.replace(/[^A-Za-z0-9-]/gu, '_')
    const samples = ['agent-1.example.com', '10.0.0.1', '..', 'A-Z_a.z', 'hôte.example', 'a b', '\ud83d\ude00x', 'x\ud83d', '\ude00y', '', '-', '日本', '9.7.0.8', 'x\n.y', '@', '`{', '/:[']
    let seed = 7
    for (let i = 0; i < 2000; i++) {
      let t = ''
      for (let n = (seed = (seed * 1103515245 + 12345) >>> 0) % 12; n > 0; n--) t += String.fromCharCode(0x20 + ((seed = (seed * 1103515245 + 12345) >>> 0) % 0x60))
      samples.push(t)
    }
    for (const s of samples) expect(sanitize(s), JSON.stringify(s)).toBe(rule(s))
  })

  it('builds server names from sanitized parts exactly as sanitize of the joined name', () => {
    const parts = ['agent-1.example.com', '10.0.0.1', 'hôte', 'a b', '\ud83d\ude00x', 'x\ud83d', '\ude00y', 'x_y', '', '-', '日本']
    for (const host of parts) {
      for (const ip of parts) {
        for (const port of [0, 80, 31000, -1]) {
          const joined = host === ip ? `${ip}_${port}` : `${host}_${ip}_${port}`
          expect(serverName(host, ip, port), JSON.stringify([host, ip, port])).toBe(sanitize(joined))
        }
      }
    }
  })
})
