import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {HaproxyError} from '../../src/errors.js'
import {isServerRow, parseHaproxyStats} from '../../src/haproxy/stats.js'

const fixture = readFileSync(new URL('../../fixtures/zdd/haproxy_stats.csv', import.meta.url), 'utf8')

describe('parseHaproxyStats', () => {
  it('parses marathon-lb tests/haproxy_stats.csv (two concatenated outputs) like test_parse_haproxy_stats', () => {
    const rows = parseHaproxyStats(fixture)
    expect(rows[1]).toMatchObject({pxname: 'http-in', svname: 'IPv4-direct'})
    expect(rows[2]).toMatchObject({pxname: 'http-out', svname: 'IPv4-cached'})
    // 15 data rows in the first output, 16 in the second; the repeated header is not a row.
    expect(rows).toHaveLength(31)
    expect(rows.some((r) => r.pxname.startsWith('#'))).toBe(false)
  })

  it('types the fields zdd reads: status, qcur, scur (empty → 0), type', () => {
    const rows = parseHaproxyStats(fixture)
    const last = rows.at(-1)
    expect(last).toMatchObject({pxname: 'http-in', svname: '10_0_6_25_23336', status: 'MAINT', qcur: 1, scur: 0, type: 3})
    const front = rows[0]
    expect(front).toMatchObject({svname: 'FRONTEND', status: 'OPEN', qcur: 0, scur: 1, type: 0})
    expect(front?.fields['stot']).toBe('1956342')
    expect(Object.keys(front?.fields ?? {})).not.toContain('')
  })

  it('parses each section with its own header (different column sets)', () => {
    const text = '# pxname,svname,status,\nweb_1,a,UP,\n# pxname,svname,scur,status,\nweb_1,b,4,MAINT,\n'
    expect(parseHaproxyStats(text).map((r) => [r.svname, r.status, r.scur])).toEqual([
      ['a', 'UP', 0],
      ['b', 'MAINT', 4],
    ])
  })

  it('returns no rows for empty text and rejects text without a header', () => {
    expect(parseHaproxyStats('')).toEqual([])
    expect(() => parseHaproxyStats('<html>502 Bad Gateway</html>\n')).toThrow(HaproxyError)
  })

  it('isServerRow drops FRONTEND and BACKEND aggregates', () => {
    const rows = parseHaproxyStats(fixture).filter(isServerRow)
    expect(rows.some((r) => r.svname === 'FRONTEND' || r.svname === 'BACKEND')).toBe(false)
    expect(rows.length).toBe(31 - 8)
  })
})
