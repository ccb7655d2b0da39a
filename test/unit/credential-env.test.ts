import {describe, expect, it} from 'vitest'

import {CREDENTIAL_ENV, withoutCredentials} from '../../src/credential-env.js'

describe('the environment of the processes mlb starts', () => {
  it('has no credential variable and no URL user info, and keeps everything else', () => {
    const env = {
      PATH: '/usr/bin',
      ...Object.fromEntries(CREDENTIAL_ENV.map((n) => [n, `secret-${n}`])),
      MLB_MARATHON: 'http://bob:pw@m1:8080 https://carol:pw2@m2',
      NOTE: 'see https://example.com/a@b', // an @ in a path is no user info
    }
    expect(withoutCredentials(env)).toEqual({PATH: '/usr/bin', MLB_MARATHON: 'http://m1:8080 https://m2', NOTE: 'see https://example.com/a@b'})
  })
})
