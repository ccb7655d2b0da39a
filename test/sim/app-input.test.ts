/**
 * Reading app bodies (marathon-api §3, §9): defaults, legacy networking migration, service-port
 * assignment, 422 bodies with paths; plus the label selector and the scale-down order.
 */
import {describe, expect, it} from 'vitest'

import {appJson} from '../../src/sim/app-json.js'
import {readApp} from '../../src/sim/app-input.js'
import {ApiError} from '../../src/sim/api-error.js'
import {selectVictims} from '../../src/sim/kill-order.js'
import {parseLabelSelector} from '../../src/sim/label-selector.js'
import {assignServicePorts} from '../../src/sim/service-ports.js'
import type {SimTask} from '../../src/sim/state.js'

function errorOf(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected an ApiError')
}

describe('app normalization', () => {
  it('fills every default marathon-lb reads without a default (§3, §10)', () => {
    const json = appJson(readApp({id: 'web', healthChecks: [{}]}))
    expect(json).toMatchObject({
      id: '/web', instances: 1, labels: {}, requirePorts: false, networks: [{mode: 'host'}], killSelection: 'YOUNGEST_FIRST',
      portDefinitions: [{port: 0, name: 'default', protocol: 'tcp'}], upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
      unreachableStrategy: {inactiveAfterSeconds: 300, expungeAfterSeconds: 600}, backoffSeconds: 1, backoffFactor: 1.15,
    })
    expect(json['healthChecks']).toEqual([
      {gracePeriodSeconds: 300, intervalSeconds: 60, maxConsecutiveFailures: 3, path: '/', portIndex: 0, protocol: 'HTTP', timeoutSeconds: 20, delaySeconds: 15, ignoreHttp1xx: false, ipProtocol: 'IPv4'},
    ])
  })

  it.each([
    {
      desc: 'pre-1.5 docker BRIDGE with docker.portMappings',
      input: {id: '/a', container: {type: 'DOCKER', docker: {image: 'x', network: 'BRIDGE', portMappings: [{containerPort: 80, servicePort: 10005}]}}},
      networks: [{mode: 'container/bridge'}],
      mappings: [{containerPort: 80, hostPort: 0, labels: {}, protocol: 'tcp', servicePort: 10005}],
    },
    {
      desc: 'pre-1.5 ipAddress with discovery ports',
      input: {id: '/b', ipAddress: {networkName: 'dcos', discovery: {ports: [{number: 8080, name: 'http', protocol: 'tcp'}]}}},
      networks: [{mode: 'container', name: 'dcos'}],
      mappings: [{containerPort: 8080, labels: {}, name: 'http', protocol: 'tcp', servicePort: 0}],
    },
    {
      desc: '1.5 container/bridge without portMappings gets the default mapping',
      input: {id: '/c', networks: [{mode: 'container/bridge'}], container: {type: 'DOCKER', docker: {image: 'x'}}},
      networks: [{mode: 'container/bridge'}],
      mappings: [{containerPort: 0, hostPort: 0, labels: {}, name: 'default', protocol: 'tcp', servicePort: 0}],
    },
  ])('migrates $desc to the 1.5 shape and never echoes the old fields', ({input, networks, mappings}) => {
    const json = appJson(readApp(input)) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(json['networks']).toEqual(networks)
    expect(json['container']['portMappings']).toEqual(mappings)
    expect(json['container']['docker']?.['network']).toBeUndefined()
    expect(json['portDefinitions']).toBeUndefined()
    expect(json['ipAddress']).toBeUndefined()
  })

  it('turns legacy host `ports` into portDefinitions', () => {
    expect(appJson(readApp({id: '/d', ports: [10010, 0]}))['portDefinitions']).toEqual([{port: 10010, protocol: 'tcp'}, {port: 0, protocol: 'tcp'}])
  })

  it('assigns the lowest free service ports, reusing the previous version first (§3.1)', () => {
    const used = new Set([10000, 10002])
    const taken = (p: number): boolean => used.has(p)
    const first = assignServicePorts(readApp({id: '/e', portDefinitions: [{port: 0}, {port: 0}, {port: 10001}]}), undefined, taken)
    expect(first.portDefinitions.map((p) => p.port)).toEqual([10003, 10004, 10001])
    const again = assignServicePorts(readApp({id: '/e', portDefinitions: [{port: 0}]}), first, taken)
    expect(again.portDefinitions.map((p) => p.port)).toEqual([10003])
  })
})

describe('bad app bodies (§9)', () => {
  it.each([
    {desc: 'not an object', body: [1], status: 422, message: 'Invalid JSON', details: [{path: '', errors: ['error.expected.jsobject']}]},
    {desc: 'id of the wrong type', body: {id: 5}, status: 422, message: 'Invalid JSON', details: [{path: '/id', errors: ['error.expected.jsstring']}]},
    {desc: 'missing id', body: {instances: 1}, status: 422, message: 'Invalid JSON', details: [{path: '/id', errors: ['error.path.missing']}]},
    {desc: 'fractional instances', body: {id: 'a', instances: 1.5}, status: 422, message: 'Invalid JSON', details: [{path: '/instances', errors: ['error.expected.int']}]},
    {desc: 'label value not a string', body: {id: 'a', labels: {X: 1}}, status: 422, message: 'Invalid JSON', details: [{path: '/labels/X', errors: ['error.expected.jsstring']}]},
    {desc: 'nested health check field', body: {id: 'a', healthChecks: [{protocol: 'HTTP'}, {intervalSeconds: 'x'}]}, status: 422, message: 'Invalid JSON', details: [{path: '/healthChecks(1)/intervalSeconds', errors: ['error.expected.jsnumber']}]},
    {desc: 'unknown health protocol', body: {id: 'a', healthChecks: [{protocol: 'GOPHER'}]}, status: 422, message: 'Invalid JSON', details: [{path: '/healthChecks(0)/protocol', errors: ['error.expected.validenumvalue']}]},
    {desc: 'upper-case id', body: {id: '/Web'}, status: 422, message: 'Object is not valid', path: '/id'},
    {desc: 'negative instances', body: {id: 'a', instances: -1}, status: 422, message: 'Object is not valid', details: [{path: '/instances', errors: ['got -1, expected 0 or more']}]},
    {desc: 'capacity above 1', body: {id: 'a', upgradeStrategy: {minimumHealthCapacity: 2}}, status: 422, message: 'Object is not valid', details: [{path: '/upgradeStrategy/minimumHealthCapacity', errors: ['is greater than 1']}]},
    {desc: 'health check port index out of range', body: {id: 'a', healthChecks: [{portIndex: 3}]}, status: 422, message: 'Object is not valid', path: '/healthChecks(0)'},
    {desc: 'duplicate service ports', body: {id: 'a', portDefinitions: [{port: 10000}, {port: 10000}]}, status: 422, message: 'Object is not valid', path: '/portDefinitions'},
  ])('$desc → $status $message', ({body, status, message, details, path}) => {
    const err = errorOf(() => readApp(body))
    expect(err.status).toBe(status)
    expect(err.body['message']).toBe(message)
    if (details !== undefined) expect(err.body['details']).toEqual(details)
    if (path !== undefined) expect((err.body['details'] as {path: string}[])[0]?.path).toBe(path)
  })
})

describe('label selector (§2.1)', () => {
  const labels = {HAPROXY_GROUP: 'external', HAPROXY_DEPLOYMENT_GROUP: 'nginx', 'a.b': 'x y'}
  it.each([
    ['HAPROXY_GROUP', true],
    ['HAPROXY_GROUP==external', true],
    ['HAPROXY_GROUP == internal', false],
    ['HAPROXY_GROUP!=internal', true],
    ['MISSING!=x', false],
    ['HAPROXY_GROUP==external,HAPROXY_DEPLOYMENT_GROUP', true],
    ['HAPROXY_GROUP in (internal, external)', true],
    ['HAPROXY_GROUP notin (external)', false],
    ['MISSING notin (x)', false],
    ['a.b==x\\ y', true],
  ])('%s → %s', (query, expected) => {
    expect(parseLabelSelector(query)(labels)).toBe(expected)
  })

  it('answers 422 "Can not parse label selector" on bad syntax', () => {
    const err = errorOf(() => parseLabelSelector('A in (b'))
    expect(err.status).toBe(422)
    expect(err.body['message']).toMatch(/^Can not parse label selector A in \(b\. Reason: /)
  })
})

describe('scale-down order (§6)', () => {
  const task = (id: string, state: SimTask['state'], stagedAt: number, startedAt?: number): SimTask =>
    ({id, state, stagedAt, ...(startedAt === undefined ? {} : {startedAt})}) as SimTask
  const tasks = [task('run-old', 'TASK_RUNNING', 1, 10), task('run-new', 'TASK_RUNNING', 2, 20), task('staging-1', 'TASK_STAGING', 30), task('staging-2', 'TASK_STAGING', 40), task('starting', 'TASK_STARTING', 25)]
  it.each([
    {desc: 'YOUNGEST_FIRST', selection: 'YOUNGEST_FIRST' as const, first: [], expected: ['staging-2', 'staging-1', 'starting', 'run-new', 'run-old']},
    {desc: 'OLDEST_FIRST', selection: 'OLDEST_FIRST' as const, first: [], expected: ['staging-2', 'staging-1', 'starting', 'run-old', 'run-new']},
    {desc: 'explicit ids first', selection: 'YOUNGEST_FIRST' as const, first: ['run-old'], expected: ['run-old', 'staging-2', 'staging-1', 'starting', 'run-new']},
  ])('$desc', ({selection, first, expected}) => {
    expect(selectVictims(tasks, 5, selection, new Set(first)).map((t) => t.id)).toEqual(expected)
  })
})
