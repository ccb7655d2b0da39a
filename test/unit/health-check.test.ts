import {describe, expect, it} from 'vitest'

import {generateConfig} from '../../src/generate.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {alive, app, healthCheck, host, id, marathon, options, portDefs, ports, section, task, taskId, tasks} from '../builders.js'

/** `--health-check` (spec §5.3) with the daemon's memory of earlier results. */
function generateWith(memory: ReadonlyMap<string, boolean>) {
  const state = marathon(app(id('/web'), portDefs(10000), healthCheck(), tasks(
    task(taskId('web.up'), host('10.0.0.1'), ports(31001), alive(false, true)),
    task(taskId('web.down'), host('10.0.0.2'), ports(31002), alive(false)),
    task(taskId('web.remembered-up'), host('10.0.0.3'), ports(31003)),
    task(taskId('web.remembered-down'), host('10.0.0.4'), ports(31004)),
    task(taskId('web.unknown'), host('10.0.0.5'), ports(31005)),
  )))
  return generateConfig({marathon: state, options: options({healthCheck: true}), templates: loadTemplateSet({env: {}, cwd: '/nonexistent'}), hostIps: new Map(), healthMemory: memory})
}

describe('--health-check (spec §5.3)', () => {
  const memory = new Map([['web.remembered-up', true], ['web.remembered-down', false]])
  const result = generateWith(memory)
  const servers = section(result.config, 'backend web_10000').filter((l) => l.trimStart().startsWith('server '))

  it('routes to a task with any alive result, or without results when the memory last saw it alive', () => {
    expect(servers.map((l) => l.trim().split(' ')[1])).toEqual(['10_0_0_1_31001', '10_0_0_3_31003'])
  })

  it('reports each task that had results, in Marathon order, for the memory', () => {
    expect([...result.healthObservations]).toEqual([['web.up', true], ['web.down', false]])
  })

  it('reports the same observations however often they are read', () => {
    expect([...result.healthObservations]).toEqual([...result.healthObservations])
  })
})
