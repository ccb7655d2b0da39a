/**
 * An app the load balancer does not serve (no enabled service port in its `--group`s) gets no
 * servers built (src/model/services.ts `groups`). The render leaves such services out anyway,
 * so the configuration must be byte for byte what building everything gives.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateOptions} from '../../src/generate.js'
import {parseMarathonApps} from '../../src/model/apps.js'
import {mergeDeploymentGroups} from '../../src/model/deployment-group.js'
import {createPortAssigner} from '../../src/model/port-assigner.js'
import {buildServices, type BuildOptions} from '../../src/model/services.js'
import {renderConfig} from '../../src/render/render.js'
import {loadTemplateSet} from '../../src/templates/load.js'
import {app, generate, host, id, label, labels, marathon, portDefs, ports, task, tasks} from '../builders.js'

const ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'conformance')
const STATES = readdirSync(ROOT, {withFileTypes: true}).filter((d) => d.isDirectory()).map((d) => d.name).sort()
const templates = loadTemplateSet({env: {}, cwd: '/nonexistent'})

/** The config of `state` for `lbGroups`, with the build told the groups or not. */
function configOf(state: unknown, lbGroups: readonly string[], strictMode: boolean, tellBuild: boolean): string {
  const apps = mergeDeploymentGroups(parseMarathonApps(state).apps).apps
  const opts: BuildOptions = {
    strictMode, healthCheck: false, hostIps: new Map(), healthMemory: new Map(), assigner: createPortAssigner({min: 10050, max: 10100}),
    ...(tellBuild ? {groups: lbGroups} : {}),
  }
  return renderConfig(buildServices(apps, opts).services, templates, generateOptions({groups: lbGroups})).config
}

describe('building only the apps a load balancer serves', () => {
  const groupLists = [['*'], ['external'], ['internal'], ['external', 'internal'], ['nobody']]
  for (const name of STATES) {
    it(`gives the same config as building every app: ${name}`, () => {
      const state = JSON.parse(readFileSync(join(ROOT, name, 'apps.json'), 'utf8')) as unknown
      for (const lbGroups of groupLists) {
        for (const strictMode of [false, true]) {
          expect(configOf(state, lbGroups, strictMode, true), `${lbGroups.join(',')} strict=${strictMode}`).toBe(configOf(state, lbGroups, strictMode, false))
        }
      }
    })
  }

  it('still serves an app through a port whose own group matches when the app group does not', () => {
    const state = marathon(app(id('/mixed'), portDefs(10000, 10001), labels({HAPROXY_GROUP: 'internal', HAPROXY_1_GROUP: 'external'}), tasks(task(host('10.0.0.1'), ports(31000, 31001)))))
    const config = generate(state, {groups: ['external']}).config
    expect(config).toContain('backend mixed_10001')
    expect(config).not.toContain('backend mixed_10000')
  })

  it('reports nothing about the tasks of an app it does not serve', () => {
    const state = marathon(
      app(id('/inside'), portDefs(10000), label('HAPROXY_GROUP', 'internal'), tasks(task(host('')))),
      app(id('/outside'), portDefs(10001), label('HAPROXY_GROUP', 'external'), tasks(task(host('')))),
    )
    const notices = generate(state, {groups: ['external']}).notices.map((n) => n.appId)
    expect(notices).toEqual(['/outside'])
  })
})
