import {describe, expect, it} from 'vitest'

import {hostsToResolve} from '../../src/serve/hosts.js'

const task = (host: string): unknown => ({id: `${host}.t`, host, ports: [31000], state: 'TASK_RUNNING', ipAddresses: [{ipAddress: '9.0.0.1'}]})

describe('hosts that need a DNS lookup (spec §5.4)', () => {
  it('skips IP literals and IP-per-task (container mode) apps, keeps host and bridge apps', () => {
    const marathon = {
      apps: [
        {id: '/host', labels: {}, portDefinitions: [{port: 10000}], tasks: [task('agent-1'), task('10.0.0.5')]},
        {id: '/bridge', labels: {}, container: {docker: {network: 'BRIDGE', portMappings: [{containerPort: 80, servicePort: 10001}]}}, tasks: [task('agent-2')]},
        {id: '/ipt', labels: {}, networks: [{mode: 'container', name: 'dcos'}], container: {portMappings: [{containerPort: 80}]}, tasks: [task('agent-3')]},
        {id: '/ipt14', labels: {}, ipAddress: {networkName: 'dcos'}, tasks: [task('agent-4')]},
      ],
    }
    expect(hostsToResolve(marathon)).toEqual(new Set(['agent-1', 'agent-2']))
  })

  it('needs no model work when every host is an IP literal, and tolerates garbage', () => {
    expect(hostsToResolve({apps: [{id: '/a', tasks: [task('10.0.0.1')]}]})).toEqual(new Set())
    expect(hostsToResolve({apps: 'nope'})).toEqual(new Set())
    expect(hostsToResolve(null)).toEqual(new Set())
  })
})
