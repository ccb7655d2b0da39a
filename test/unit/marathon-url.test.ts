import {describe, expect, it} from 'vitest'

import {MarathonError} from '../../src/errors.js'
import {parseMarathonUrl} from '../../src/marathon/marathon-url.js'

const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`

describe('--marathon URLs', () => {
  it('splits the user info off as Basic auth, decoded as Python\'s unquote does', async () => {
    const plain = parseMarathonUrl('http://m:8080/')
    expect(plain).toEqual({url: 'http://m:8080', auth: undefined})
    const u = parseMarathonUrl('https://u:p%40ss@m:8443/prefix/')
    expect(u.url).toBe('https://m:8443/prefix')
    expect(await u.auth?.header()).toBe(basic('u:p@ss'))
    // A `%` that starts no escape stays (decodeURIComponent threw "URI malformed" here).
    expect(await parseMarathonUrl('http://alice:Sec100%@m').auth?.header()).toBe(basic('alice:Sec100%'))
    expect(await parseMarathonUrl('http://alice:a%zz@m').auth?.header()).toBe(basic('alice:a%zz'))
    expect(await parseMarathonUrl('http://al%C3%A9:x@m').auth?.header()).toBe(basic('alé:x'))
  })

  // Each of these was printed with the password in it.
  const unparsable: [string, string][] = [
    ['http://alice:S3c/r3tPW@127.0.0.1:1', 'invalid Marathon URL: http://***@127.0.0.1:1'],
    // `-m 'http://alice:S3c r3tPW@h:1'` is two values (white space separates URLs).
    ['http://alice:S3c', 'invalid Marathon URL: http://alice:***'],
    ['r3tPW@h:1', 'invalid Marathon URL: ***@h:1'],
    ['alice:S3cr3tPW@127.0.0.1:1', 'invalid Marathon URL (not http or https): ***@127.0.0.1:1'],
  ]
  for (const [raw, message] of unparsable) {
    it(`names ${JSON.stringify(raw.replace(/S3c.*PW/, '…'))} without its password`, () => {
      let err: unknown
      try {
        parseMarathonUrl(raw)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(MarathonError)
      expect((err as Error).message).toBe(message)
      expect((err as Error).message).not.toMatch(/S3c|r3tPW/)
    })
  }

  it('shows a value without user info in full', () => {
    expect(() => parseMarathonUrl('http://marathon.mesos:80800')).toThrow('invalid Marathon URL: http://marathon.mesos:80800')
    expect(() => parseMarathonUrl('ftp://x')).toThrow('invalid Marathon URL (not http or https): ftp://x')
  })
})
