import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {createPortAssigner} from '../../src/model/port-assigner.js'

describe('IP-per-task service-port assignment (spec §5.5)', () => {
  it('hashes /app-1 port 80 to 10051 in 10050-10100', () => {
    expect(createHash('sha1').update('/app-1-80-0').digest('hex').slice(0, 8)).toBe('c7b56daf')
    expect(createPortAssigner({min: 10050, max: 10100}).assign('/app-1', [80])).toEqual([10051])
  })

  it('reuses the port of a key already assigned in the build', () => {
    const a = createPortAssigner({min: 10050, max: 10100})
    const first = a.assign('/app-1', [80, 81])
    expect(a.assign('/app-1', [81, 80])).toEqual([first[1], first[0]])
  })

  it('is a pure function of the request order', () => {
    const run = (): readonly (number | undefined)[] => {
      const a = createPortAssigner({min: 10000, max: 10020})
      return ['/a', '/b', '/c', '/d'].flatMap((app) => a.assign(app, [80, 443]))
    }
    expect(run()).toEqual(run())
  })

  it('exhausts: 24 keys over 21 ports leave the last 3 without a port and cover the range', () => {
    const a = createPortAssigner({min: 10000, max: 10020})
    const got = Array.from({length: 24}, (_, i) => a.assign(`/app-${i}`, [8080])[0])
    expect(got.slice(21)).toEqual([undefined, undefined, undefined])
    expect(new Set(got.slice(0, 21))).toEqual(new Set(Array.from({length: 21}, (_, i) => 10000 + i)))
  })

  it('scans linearly from the bottom when every hashed candidate clashes (marathon-lb max_clash)', () => {
    // Every text hashes alike: after the first key, all 50 attempts clash.
    const a = createPortAssigner({min: 10000, max: 10020}, () => 7)
    const got = Array.from({length: 10}, (_, i) => a.assign(`/app-${i}`, [80])[0])
    expect(got).toEqual([10007, 10000, 10001, 10002, 10003, 10004, 10005, 10006, 10008, 10009])
  })
})
