import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {MissingFieldError} from '../../src/errors.js'
import {toZddApp} from '../../src/zdd/app.js'
import {prettyAppJson, pythonJson, stripNulls} from '../../src/zdd/json.js'
import {findServicePort, nextPort, prepareNewApp, resumePair, startedAtStamp, validateAppJson} from '../../src/zdd/prepare.js'
import type {ZddApp} from '../../src/zdd/state.js'

const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'))
const appsOf = (path: string): ZddApp[] => ((stripNulls(read(path)) as {apps: unknown[]}).apps).map((a) => toZddApp(a) as ZddApp)

const STAMP = '2016-02-01T15:51:38.184623'

/** marathon-lb tests/test_zdd.py test_simple's expected output (STARTED_AT fixed). */
const expectedSimple = {
  acceptedResourceRoles: ['*', 'slave_public'],
  container: {
    docker: {forcePullImage: true, image: 'brndnmtthws/nginx-echo-sleep', network: 'BRIDGE', portMappings: [{containerPort: 8080, hostPort: 0, servicePort: 10001}]},
    type: 'DOCKER',
  },
  cpus: 0.1,
  healthChecks: [{gracePeriodSeconds: 15, intervalSeconds: 3, maxConsecutiveFailures: 10, path: '/', portIndex: 0, protocol: 'HTTP', timeoutSeconds: 15}],
  id: '/nginx-blue',
  instances: 1,
  labels: {
    HAPROXY_0_PORT: '10000',
    HAPROXY_APP_ID: 'nginx',
    HAPROXY_DEPLOYMENT_ALT_PORT: '10001',
    HAPROXY_DEPLOYMENT_COLOUR: 'blue',
    HAPROXY_DEPLOYMENT_GROUP: 'nginx',
    HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0',
    HAPROXY_DEPLOYMENT_STARTED_AT: STAMP,
    HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3',
    HAPROXY_GROUP: 'external',
  },
  mem: 65,
}

function prepare(jsonPath: string, appsPath: string, newInstances = 0) {
  const json = validateAppJson(read(jsonPath))
  return prepareNewApp({json, previous: appsOf(appsPath), initialInstances: 1, newInstances, startedAt: STAMP})
}

describe('prepareNewApp (tests/test_zdd.py test_simple, test_hybrid and their Marathon 1.5 variants)', () => {
  it('test_simple: first blue/green step from a green deploy, docker portMappings', () => {
    const p = prepare('fixtures/zdd/1-nginx.json', 'fixtures/marathon/zdd_app_blue.json')
    expect(JSON.parse(prettyAppJson(p.app))).toEqual(expectedSimple)
    expect(p).toMatchObject({colour: 'blue', target: 3})
  })

  it('test_simple_marathon15: container.portMappings and networks', () => {
    const p = prepare('fixtures/zdd/1-nginx-marathon1.5.json', 'fixtures/marathon/zdd_app_blue_marathon1.5.json')
    expect(p.app['id']).toBe('/nginx-blue')
    expect(p.app['instances']).toBe(1)
    expect(p.app['container']).toEqual({
      type: 'DOCKER',
      docker: {image: 'brndnmtthws/nginx-echo-sleep', forcePullImage: true},
      portMappings: [{hostPort: 0, containerPort: 8080, servicePort: 10001}],
    })
    expect(p.app['networks']).toEqual([{mode: 'container/bridge'}])
    expect(p.app['labels']).toEqual({...expectedSimple.labels})
  })

  it.each([
    ['fixtures/zdd/1-nginx.json', 'fixtures/marathon/zdd_app_blue.json'],
    ['fixtures/zdd/1-nginx-marathon1.5.json', 'fixtures/marathon/zdd_app_blue_marathon1.5.json'],
  ])('test_hybrid: --new-instances 1 writes HAPROXY_DEPLOYMENT_NEW_INSTANCES "1" (%s)', (json, apps) => {
    const p = prepare(json, apps, 1)
    expect((p.app['labels'] as Record<string, string>)['HAPROXY_DEPLOYMENT_NEW_INSTANCES']).toBe('1')
    expect(p.app['instances']).toBe(1)
  })

  it('--new-instances above the old size is clamped to it', () => {
    const p = prepare('fixtures/zdd/1-nginx.json', 'fixtures/marathon/zdd_app_blue.json', 50)
    expect((p.app['labels'] as Record<string, string>)['HAPROXY_DEPLOYMENT_NEW_INSTANCES']).toBe('3')
  })

  it('first deploy: blue on the JSON service port, target = JSON instances, NEW_INSTANCES "0"', () => {
    const json = validateAppJson(read('fixtures/zdd/1-nginx.json'))
    const p = prepareNewApp({json, previous: [], initialInstances: 1, newInstances: 0, startedAt: STAMP})
    expect(p.app['instances']).toBe(5)
    expect(p.app['labels']).toMatchObject({HAPROXY_DEPLOYMENT_COLOUR: 'blue', HAPROXY_0_PORT: '10000', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '5', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0'})
    expect(findServicePort(p.app)).toBe(10000)
  })

  it('§10.36 fix: the service port comes from portDefinitions (zdd.py crashed, exit 2)', () => {
    const json = validateAppJson({id: 'web', instances: 2, portDefinitions: [{port: 10100}], labels: {HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10101'}})
    expect(findServicePort(json)).toBe(10100)
    const green = toZddApp({id: '/web-green', instances: 2, portDefinitions: [{port: 10100}], labels: {HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10101', HAPROXY_0_PORT: '10100', HAPROXY_DEPLOYMENT_COLOUR: 'green'}}) as ZddApp
    const p = prepareNewApp({json, previous: [green], initialInstances: 1, newInstances: 0, startedAt: STAMP})
    expect(p.app['portDefinitions']).toEqual([{port: 10101}])
  })

  it('§10.41 fix: the next port is read from the last deploy\'s port mappings, not only legacy `ports`', () => {
    const onAlt = toZddApp({id: '/x-blue', instances: 1, container: {portMappings: [{servicePort: 10001}]}, labels: {HAPROXY_DEPLOYMENT_ALT_PORT: '10001', HAPROXY_0_PORT: '10000'}}) as ZddApp
    expect(nextPort(onAlt, 10000)).toBe(10000) // zdd.py: no `ports` → ALT again, a port clash
    const onOriginal = toZddApp({id: '/x-green', instances: 1, container: {portMappings: [{servicePort: 10000}]}, labels: {HAPROXY_DEPLOYMENT_ALT_PORT: '10001', HAPROXY_0_PORT: '10000'}}) as ZddApp
    expect(nextPort(onOriginal, 10000)).toBe(10001)
  })

  it.each([
    ['no id (zdd.py: KeyError, exit 2)', {labels: {}}, 'id'],
    ['no labels', {id: 'a'}, 'label'],
    ['no HAPROXY_DEPLOYMENT_GROUP', {id: 'a', labels: {HAPROXY_DEPLOYMENT_ALT_PORT: '1'}}, 'HAPROXY_DEPLOYMENT_GROUP'],
    ['no HAPROXY_DEPLOYMENT_ALT_PORT', {id: 'a', labels: {HAPROXY_DEPLOYMENT_GROUP: 'a'}}, 'HAPROXY_DEPLOYMENT_ALT_PORT'],
    ['not an object', [1, 2], 'id'],
  ])('validateAppJson: %s → MissingFieldError (exit 4)', (_d, json, field) => {
    try {
      validateAppJson(json)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(MissingFieldError)
      expect((err as MissingFieldError).exit).toBe(4)
      expect((err as MissingFieldError).field).toBe(field)
    }
  })

  it('an app without any service port → MissingFieldError on container.portMappings', () => {
    const json = validateAppJson({id: 'a', labels: {HAPROXY_DEPLOYMENT_GROUP: 'a', HAPROXY_DEPLOYMENT_ALT_PORT: '1'}})
    expect(() => prepareNewApp({json, previous: [], initialInstances: 1, newInstances: 0, startedAt: STAMP})).toThrow(/doesn't contain a service port/)
  })

  it('resumePair: newest first for --resume/--complete-cur, swapped for --complete-prev', () => {
    const a = toZddApp({id: '/a', labels: {HAPROXY_DEPLOYMENT_STARTED_AT: '2026-01-01T00:00:00.000000'}}) as ZddApp
    const b = toZddApp({id: '/b', labels: {HAPROXY_DEPLOYMENT_STARTED_AT: '2026-02-01T00:00:00.000000'}}) as ZddApp
    const c = toZddApp({id: '/c', labels: {}}) as ZddApp // missing STARTED_AT sorts as "0"
    expect(resumePair([b, c, a], false)).toEqual({newApp: b, oldApp: a})
    expect(resumePair([b, c, a], true)).toEqual({newApp: a, oldApp: b})
  })

  it('startedAtStamp: local time, microseconds, no zone (datetime.now().isoformat())', () => {
    expect(startedAtStamp(new Date(2016, 1, 1, 15, 51, 38, 184).getTime())).toBe('2016-02-01T15:51:38.184000')
  })
})

describe('json helpers', () => {
  it('pythonJson is json.dumps: ", " and ": " separators, ASCII escapes', () => {
    expect(pythonJson({id: 'oldApp'})).toBe('{"id": "oldApp"}')
    expect(pythonJson(['task1', 'task2'])).toBe('["task1", "task2"]')
    expect(pythonJson({a: [1, true, null], é: 'ü'})).toBe('{"a": [1, true, null], "\\u00e9": "\\u00fc"}')
  })

  it('prettyAppJson sorts keys recursively with a 2-space indent', () => {
    expect(prettyAppJson({b: 1, a: {d: 1, c: 2}})).toBe('{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}')
  })
})
