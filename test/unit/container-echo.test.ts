import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {echoE} from '../../src/serve/container-echo.js'

const hex = (b: Buffer): string => b.toString('hex')
const bytes = (...parts: Array<string | number[]>): string =>
  hex(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))))

describe('echoE (bash echo -e)', () => {
  const table: ReadonlyArray<{desc: string; input: string; expected: string}> = [
    {desc: 'PEM on one line', input: '-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----', expected: bytes('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')},
    {desc: 'simple escapes', input: '\\a\\b\\e\\E\\f\\r\\t\\v\\\\', expected: bytes([7, 8, 27, 27, 12, 13, 9, 11, 92], '\n')},
    {desc: 'octal needs a leading 0 and takes up to 3 digits', input: '\\0101\\01\\0\\08\\01234', expected: bytes('A', [1, 0, 0], '8', [0o123], '4\n')},
    {desc: 'octal wraps to a byte', input: '\\0777', expected: bytes([0xff], '\n')},
    {desc: 'hex takes up to 2 digits; none keeps \\x', input: '\\x41\\x4g\\x\\xfff', expected: bytes('A', [4], 'g\\x', [0xff], 'f\n')},
    {desc: 'unicode escapes are UTF-8', input: '\\u00e9\\U0001F600\\u', expected: bytes('é😀\\u\n')},
    {desc: 'echo keeps unknown escapes and \\1..\\7', input: '\\1\\q\\\'\\"\\?', expected: bytes('\\1\\q\\\'\\"\\?\n')},
    {desc: 'a trailing backslash stays', input: 'end\\', expected: bytes('end\\\n')},
    {desc: '\\c stops output and the newline', input: 'x\\cy', expected: bytes('x')},
    {desc: 'a value made of echo options prints nothing (-n)', input: '-n', expected: bytes('')},
    {desc: 'a value made of echo options prints a newline (-eE)', input: '-eE', expected: bytes('\n')},
    {desc: 'a dash word with other letters is text', input: '-x', expected: bytes('-x\n')},
    {desc: 'an escaped backslash then n', input: '\\\\n', expected: bytes('\\n\n')},
    {desc: 'empty value is a newline', input: '', expected: bytes('\n')},
  ]
  for (const c of table) {
    it(c.desc, () => {
      expect(hex(echoE(c.input))).toBe(c.expected)
    })
  }

  it('writes exactly what bash writes', () => {
    const probe = spawnSync('bash', ['-c', 'echo ok'])
    if (probe.status !== 0) throw new Error('bash is needed for this test: apt-get install -y bash')
    const inputs = [...table.map((c) => c.input), '\\U00110000', '\\U7FFFFFFF', '\\UFFFFFFFF', '\\ud800', 'tab\there', 'a\\n\\n\\nb', '\\x7\\x07\\X41']
    for (const input of inputs) {
      const res = spawnSync('bash', ['-c', 'echo -e "$V"'], {env: {V: input, LC_ALL: 'C.UTF-8', PATH: process.env['PATH'] ?? ''}})
      expect({input, out: hex(echoE(input))}).toEqual({input, out: hex(res.stdout)})
    }
  })
})
