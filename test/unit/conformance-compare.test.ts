import {describe, expect, it} from 'vitest'

import {normalizeConfig, parseRelaxations, sortCrtPairs} from '../conformance-compare.js'

describe('conformance comparison rules (fixtures/conformance/README.md)', () => {
  it('always drops lua-load lines', () => {
    expect(normalizeConfig('global\n  lua-load /a/getpids.lua\n  maxconn 1\n', [])).toBe('global\n  maxconn 1\n')
  })

  it('sort-servers sorts each run of server lines, not across runs', () => {
    const text = 'backend a\n  server b 1\n  server a 1\nbackend b\n  server d 1\n  server c 1\n'
    expect(normalizeConfig(text, ['sort-servers'])).toBe('backend a\n  server a 1\n  server b 1\nbackend b\n  server c 1\n  server d 1\n')
  })

  it('sort-crt sorts crt paths in place on bind lines only', () => {
    expect(sortCrtPairs('  bind *:443 ssl crt /z.pem crt /a.pem alpn h2')).toBe('  bind *:443 ssl crt /a.pem crt /z.pem alpn h2')
    expect(sortCrtPairs('  server x crt /z.pem crt /a.pem')).toBe('  server x crt /z.pem crt /a.pem')
  })

  it('modern-directives drops old and new header/path rewriting lines only', () => {
    const text = [
      '  rspadd  Strict-Transport-Security:\\ max-age=15768000',
      '  http-response set-header Strict-Transport-Security max-age=15768000',
      '  reqirep  "^([^ :]*)\\ /a/?(.*)" "\\1\\ /\\2"',
      '  http-request replace-path ^/a/?(.*) /\\1',
      '  http-response replace-header Location https?://x(/.*) /y\\1',
      '  http-response set-header X-Other 1',
      '  mode http',
    ].join('\n')
    expect(normalizeConfig(text, ['modern-directives'])).toBe('  http-response set-header X-Other 1\n  mode http')
  })

  it('refuses unknown relaxations', () => {
    expect(parseRelaxations('sort-crt\nmodern-directives\n')).toEqual(['sort-crt', 'modern-directives'])
    expect(() => parseRelaxations('sort-everything')).toThrow('unknown compare relaxation: sort-everything')
  })
})
