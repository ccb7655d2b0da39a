import {describe, expect, it} from 'vitest'

import {HostResolver, systemLookup, taskHosts, type LookupFn} from '../../src/marathon/dns.js'

/** A resolver table that counts lookups; unknown names do not resolve. */
function table(entries: Record<string, string>): {lookup: LookupFn; calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    lookup: (host) => {
      calls.push(host)
      return Promise.resolve(entries[host])
    },
  }
}

describe('host resolution (spec §5.4)', () => {
  it('maps IPv4 literals to themselves without a lookup', async () => {
    const t = table({})
    const r = new HostResolver(10, t.lookup)
    expect(await r.resolve('10.0.0.1')).toBe('10.0.0.1')
    expect(t.calls).toEqual([])
  })

  it('caches successes forever, up to the capacity, least recently used out first', async () => {
    const t = table({a: '1.1.1.1', b: '2.2.2.2', c: '3.3.3.3'})
    const r = new HostResolver(2, t.lookup)
    await r.resolve('a')
    await r.resolve('b')
    await r.resolve('a') // a is now the most recent
    await r.resolve('c') // evicts b
    expect(r.size).toBe(2)
    await r.resolve('a')
    await r.resolve('b')
    expect(t.calls).toEqual(['a', 'b', 'c', 'b'])
  })

  it('does not cache failures', async () => {
    const t = table({})
    const r = new HostResolver(10, t.lookup)
    expect(await r.resolve('nowhere')).toBeUndefined()
    expect(await r.resolve('nowhere')).toBeUndefined()
    expect(t.calls).toEqual(['nowhere', 'nowhere'])
  })

  it('resolves a set of hosts once each, skipping literals and keeping only answers', async () => {
    const t = table({a: '1.1.1.1', b: '2.2.2.2'})
    const r = new HostResolver(10, t.lookup)
    const got = await r.resolveAll(['a', 'b', 'a', '10.0.0.9', 'zzz', ''])
    expect(got).toEqual(new Map([['a', '1.1.1.1'], ['b', '2.2.2.2']]))
    expect([...t.calls].sort()).toEqual(['a', 'b', 'zzz'])
  })

  it('uses the system resolver for real names', async () => {
    expect(await systemLookup('localhost')).toBe('127.0.0.1')
    expect(await systemLookup('no-such-host.invalid')).toBeUndefined()
  })

  it('collects task hosts from any body shape without throwing', () => {
    expect(taskHosts({apps: [{tasks: [{host: 'a'}, {host: 'b'}, {host: 3}, null]}, {tasks: 'x'}, null, {id: '/x'}]})).toEqual(new Set(['a', 'b']))
    expect(taskHosts(null)).toEqual(new Set())
    expect(taskHosts({apps: 'nope'})).toEqual(new Set())
  })
})
