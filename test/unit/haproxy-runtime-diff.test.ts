import {describe, expect, it} from 'vitest'

import {addCommands, diffConfigs, toggleCommand, type RuntimeDiff} from '../../src/haproxy/runtime-diff.js'

const HEAD = 'global\n  stats socket /run/socket\ndefaults\n  mode http\nfrontend web_10000\n  bind *:10000\n  use_backend web_10000\n'
const backend = (servers: readonly string[], balance = 'roundrobin', extra = ''): string =>
  `${HEAD}backend web_10000\n  balance ${balance}\n  mode http\n${extra}${servers.map((s) => `  ${s}\n`).join('')}`
const A = 'server 10_0_0_1_31000 10.0.0.1:31000 id 100 check inter 2s fall 11'
const B = 'server 10_0_0_2_31001 10.0.0.2:31001 id 200 check inter 2s fall 11'

const summary = (d: RuntimeDiff): unknown =>
  d.kind === 'reload'
    ? 'reload'
    : {remove: d.plan.remove.map((s) => s.name), toggle: d.plan.toggle.map((s) => `${s.name}:${s.disabled ? 'off' : 'on'}`), add: d.plan.add.map((s) => s.name)}

describe('diffConfigs', () => {
  const cases: ReadonlyArray<{desc: string; running: string; next: string; expected: unknown}> = [
    {desc: 'same bytes: empty plan', running: backend([A]), next: backend([A]), expected: {remove: [], toggle: [], add: []}},
    {desc: 'server added', running: backend([A]), next: backend([A, B]), expected: {remove: [], toggle: [], add: ['10_0_0_2_31001']}},
    {desc: 'server removed', running: backend([A, B]), next: backend([A]), expected: {remove: ['10_0_0_2_31001'], toggle: [], add: []}},
    {desc: 'servers swapped', running: backend([A]), next: backend([B]), expected: {remove: ['10_0_0_1_31000'], toggle: [], add: ['10_0_0_2_31001']}},
    {desc: 'server disabled', running: backend([A]), next: backend([`${A} disabled`]), expected: {remove: [], toggle: ['10_0_0_1_31000:off'], add: []}},
    {desc: 'server enabled again', running: backend([`${A} disabled`]), next: backend([A]), expected: {remove: [], toggle: ['10_0_0_1_31000:on'], add: []}},
    {desc: 'first server of an empty backend', running: backend([]), next: backend([A]), expected: {remove: [], toggle: [], add: ['10_0_0_1_31000']}},
    {desc: 'leastconn is dynamic', running: backend([A], 'leastconn'), next: backend([A, B], 'leastconn'), expected: {remove: [], toggle: [], add: ['10_0_0_2_31001']}},
    {desc: 'trailing comment ignored', running: backend([A]), next: backend([A, `${B} # host=x`]), expected: {remove: [], toggle: [], add: ['10_0_0_2_31001']}},
    {desc: 'abns address', running: backend([A]), next: backend([A, 'server nginx abns@nginx send-proxy-v2']), expected: {remove: [], toggle: [], add: ['nginx']}},
    {desc: 'reload: new backend', running: backend([A]), next: `${backend([A])}backend other\n  balance roundrobin\n  ${B}\n`, expected: 'reload'},
    {desc: 'reload: frontend changed', running: backend([A]), next: backend([A, B]).replace('bind *:10000', 'bind *:10001'), expected: 'reload'},
    {desc: 'reload: backend option changed', running: backend([A]), next: backend([A], 'roundrobin', '  option forwardfor\n'), expected: 'reload'},
    {desc: 'reload: static balance algorithm', running: backend([A], 'source'), next: backend([A, B], 'source'), expected: 'reload'},
    {desc: 'reload: cookie keyword', running: backend([A]), next: backend([A, `${B} cookie abc`]), expected: 'reload'},
    {desc: 'reload: unknown keyword', running: backend([A]), next: backend([A, `${B} ssl verify none`]), expected: 'reload'},
    {desc: 'reload: keyword without its argument', running: backend([A]), next: backend([A, 'server x 10.0.0.3:1 inter']), expected: 'reload'},
    {desc: 'reload: host name address', running: backend([A]), next: backend([A, 'server x example.com:80']), expected: 'reload'},
    {desc: 'reload: same name, other address', running: backend([A]), next: backend([A.replace('10.0.0.1:31000', '10.0.0.9:31000')]), expected: 'reload'},
    {desc: 'reload: same name, other keywords', running: backend([A]), next: backend([A.replace('fall 11', 'fall 3')]), expected: 'reload'},
    {desc: 'reload: default-server present', running: backend([A], 'roundrobin', '  default-server inter 3s\n'), next: backend([A, B], 'roundrobin', '  default-server inter 3s\n'), expected: 'reload'},
    {desc: 'reload: servers of a listen section', running: `${HEAD}listen l\n  bind *:1\n  ${A}\n`, next: `${HEAD}listen l\n  bind *:1\n  ${A}\n  ${B}\n`, expected: 'reload'},
  ]
  for (const c of cases) it(c.desc, () => expect(summary(diffConfigs(c.running, c.next))).toEqual(c.expected))
})

describe('runtime commands', () => {
  it('adds with the keywords of the line, enables health when checked, then the server', () => {
    const d = diffConfigs(backend([]), backend([A]))
    if (d.kind !== 'runtime') throw new Error('expected a runtime plan')
    expect(addCommands(d.plan.add[0]!)).toEqual([
      'add server web_10000/10_0_0_1_31000 10.0.0.1:31000 id 100 check inter 2s fall 11',
      'enable health web_10000/10_0_0_1_31000',
      'enable server web_10000/10_0_0_1_31000',
    ])
  })
  it('leaves a disabled server in maintenance and toggles with set server state', () => {
    const d = diffConfigs(backend([A]), backend([A, `${B} disabled`]))
    if (d.kind !== 'runtime') throw new Error('expected a runtime plan')
    expect(addCommands(d.plan.add[0]!)).toEqual(['add server web_10000/10_0_0_2_31001 10.0.0.2:31001 id 200 check inter 2s fall 11', 'enable health web_10000/10_0_0_2_31001'])
    const t = diffConfigs(backend([A]), backend([`${A} disabled`]))
    if (t.kind !== 'runtime') throw new Error('expected a runtime plan')
    expect(toggleCommand(t.plan.toggle[0]!)).toBe('set server web_10000/10_0_0_1_31000 state maint')
  })
})
