import {describe, expect, it} from 'vitest'
import {parsePyFormat, PyFormatError, renderPyFormat, type PyValue} from '../../src/templates/pyformat.js'

const hc = {path: '/health', protocol: 'HTTP', portIndex: 0, command: {value: "it's"}}

describe('Python str.format (spec §4.3)', () => {
  const ok: {desc: string; input: string; kwargs: Record<string, PyValue>; expected: string}[] = [
    {desc: 'named field', input: 'backend {backend}', kwargs: {backend: 'b_1'}, expected: 'backend b_1'},
    {desc: 'doubled braces are literal', input: 'if !{{ ssl_fc }} {x}', kwargs: {x: 1}, expected: 'if !{ ssl_fc } 1'},
    {desc: 'None, True, False', input: '{a} {b} {c}', kwargs: {a: null, b: true, c: false}, expected: 'None True False'},
    {desc: 'integers in decimal', input: '{n}', kwargs: {n: 10000}, expected: '10000'},
    {desc: 'item access', input: '{healthCheck[path]}', kwargs: {healthCheck: hc}, expected: '/health'},
    {desc: 'nested item access', input: '{healthCheck[command][value]}', kwargs: {healthCheck: hc}, expected: "it's"},
    {desc: 'dict repr', input: '{healthCheck}', kwargs: {healthCheck: hc}, expected: `{'path': '/health', 'protocol': 'HTTP', 'portIndex': 0, 'command': {'value': "it's"}}`},
    {desc: '!r conversion', input: '{s!r}', kwargs: {s: 'a'}, expected: "'a'"},
    {desc: 'right align', input: '[{s:>6}]', kwargs: {s: 'ab'}, expected: '[    ab]'},
    {desc: 'fill and center', input: '[{s:*^6}]', kwargs: {s: 'ab'}, expected: '[**ab**]'},
    {desc: 'zero-padded int', input: '{n:05d}', kwargs: {n: 42}, expected: '00042'},
    {desc: 'hex', input: '{n:#x}', kwargs: {n: 255}, expected: '0xff'},
    {desc: 'thousands separator', input: '{n:,}', kwargs: {n: 1234567}, expected: '1,234,567'},
    {desc: 'precision truncates strings', input: '{s:.3}', kwargs: {s: 'abcdef'}, expected: 'abc'},
    {desc: 'nested field in spec', input: '{s:>{w}}', kwargs: {s: 'x', w: 3}, expected: '  x'},
    {desc: 'unused kwargs are ignored', input: 'plain', kwargs: {x: 1}, expected: 'plain'},
  ]
  for (const c of ok) it(c.desc, () => expect(renderPyFormat(parsePyFormat(c.input), c.kwargs)).toBe(c.expected))

  const bad: {desc: string; input: string; kwargs: Record<string, PyValue>; pyType: string}[] = [
    {desc: 'unknown name → KeyError', input: '{nope}', kwargs: {}, pyType: 'KeyError'},
    {desc: 'positional → IndexError', input: '{}', kwargs: {}, pyType: 'IndexError'},
    {desc: 'lone } → ValueError', input: 'a } b', kwargs: {}, pyType: 'ValueError'},
    {desc: 'unclosed { → ValueError', input: 'a { b', kwargs: {}, pyType: 'ValueError'},
    {desc: 'missing dict key → KeyError', input: '{healthCheck[port]}', kwargs: {healthCheck: hc}, pyType: 'KeyError'},
    {desc: 'spec on None → TypeError', input: '{a:>3}', kwargs: {a: null}, pyType: 'TypeError'},
    {desc: 'attribute access → AttributeError', input: '{a.b}', kwargs: {a: 'x'}, pyType: 'AttributeError'},
  ]
  for (const c of bad) {
    it(c.desc, () => {
      let caught: unknown
      try {
        renderPyFormat(parsePyFormat(c.input), c.kwargs)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(PyFormatError)
      expect((caught as PyFormatError).pyType).toBe(c.pyType)
    })
  }

  it('lists the names a program reads', () => {
    expect([...parsePyFormat('{a} {b[x]} {c:>{d}} {{e}}').names].sort()).toEqual(['a', 'b', 'c', 'd'])
  })
})
