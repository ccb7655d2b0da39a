import {describe, expect, it} from 'vitest'

import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {readLbApps} from '../../src/marathon/lb-fields.js'
import {parseMarathonApps} from '../../src/model/apps.js'
import {chunks} from '../chunks.js'

/** The model of the apps read from bytes equals the model of JSON.parse, problems included. */
function same(text: string): void {
  const expected = parseMarathonApps(JSON.parse(text))
  for (const size of [1, 7, 64, 65536]) expect(parseMarathonApps(parseAppsChunks(chunks(text, size), readLbApps)), `chunks of ${size}`).toEqual(expected)
}

const HC = '{"protocol": "HTTP", "path": "/h", "portIndex": 0, "timeoutSeconds": 2, "intervalSeconds": 3, "gracePeriodSeconds": 4, "maxConsecutiveFailures": 5, "delaySeconds": null, "command": null}'

describe('apps read from bytes (readLbApps) give the model of JSON.parse, problems included', () => {
  const cases: {desc: string; app: string}[] = [
    {desc: 'every field the model reads', app: `{"id": "/a", "cmd": "x", "labels": {"HAPROXY_GROUP": "external", "10": "n", "2": "m", "b": "z"}, "instances": 2, "ports": [1, 2], "portDefinitions": [{"port": 10000, "name": "p"}, {"name": "q"}, {"port": null}], "ipAddress": null, "container": {"type": "DOCKER", "docker": {"image": "i", "network": "BRIDGE", "portMappings": [{"containerPort": 80, "servicePort": 10001, "hostPort": 0}, {}]}, "portMappings": [{"containerPort": 81}]}, "networks": [{"mode": "container/bridge"}, {"name": "x"}], "healthChecks": [${HC}], "versionInfo": {"lastScalingAt": "2024-01-01T00:00:00.000Z", "lastConfigChangeAt": "x"}, "tasks": [{"id": "t", "host": "h", "ports": [31000]}], "env": {"A": "b"}}`},
    {desc: 'nulls read as absent', app: '{"id": "/n", "labels": null, "instances": null, "ports": null, "portDefinitions": null, "container": null, "networks": null, "healthChecks": null, "versionInfo": null, "tasks": null}'},
    {desc: 'empty objects and lists', app: '{"id": "/e", "labels": {}, "ports": [], "portDefinitions": [], "container": {}, "networks": [], "healthChecks": [], "versionInfo": {}, "tasks": []}'},
    {desc: 'nested nulls', app: '{"id": "/nn", "container": {"docker": null, "portMappings": null}, "versionInfo": {"lastScalingAt": null}, "networks": [{"mode": null}]}'},
    {desc: 'a docker without network or mappings', app: '{"id": "/d", "container": {"docker": {"image": "x"}}}'},
    {desc: 'integer forms', app: '{"id": "/i", "instances": 1.0, "ports": [1e2], "portDefinitions": [{"port": 2E1}]}'},
    {desc: 'duplicate label keys: the last value, in the first one\'s place', app: '{"id": "/dup", "labels": {"a": "1", "b": "2", "a": "3"}}'},
    {desc: 'only an id', app: '{"id": "/only"}'},
    {desc: 'IP-per-task of Marathon 1.4 (ipAddress object)', app: '{"id": "/ip", "ipAddress": {"networkName": "dcos", "discovery": {"ports": [{"number": 80, "name": "http"}]}}, "tasks": [{"id": "t", "host": "h", "ipAddresses": [{"ipAddress": "9.0.0.1"}]}]}'},
    {desc: 'an empty ipAddress object', app: '{"id": "/ip0", "ipAddress": {}}'},
    {desc: 'a null label', app: '{"id": "/nl", "labels": {"A": null}}'},
    {desc: 'a label that is not a string', app: '{"id": "/nl", "labels": {"A": 5}}'},
    {desc: 'labels that are not an object', app: '{"id": "/nl", "labels": ["A"]}'},
    {desc: 'a __proto__ label', app: '{"id": "/p", "labels": {"__proto__": "x", "a": "b"}}'},
    {desc: 'instances that is not an integer', app: '{"id": "/f", "instances": 1.5}'},
    {desc: 'instances as a string', app: '{"id": "/f", "instances": "3"}'},
    {desc: 'a port definition that is not an object', app: '{"id": "/pd", "portDefinitions": [5]}'},
    {desc: 'a port mapping of the wrong shape', app: '{"id": "/pm", "container": {"docker": {"portMappings": [{"containerPort": "80"}]}}}'},
    {desc: 'container that is not an object', app: '{"id": "/c", "container": "DOCKER"}'},
    {desc: 'a health check with a field of the wrong type', app: '{"id": "/h", "healthChecks": [{"protocol": 5}]}'},
    {desc: 'a health check that is not an object', app: '{"id": "/h", "healthChecks": ["HTTP"]}'},
    {desc: 'a missing, empty or non-string id', app: '{"labels": {}}, {"id": ""}, {"id": 5}, {"id": null}'},
    {desc: 'an app that is not an object', app: '5, "x", null, []'},
    {desc: 'duplicate app keys', app: '{"id": "/a", "id": "/b"}'},
    {desc: 'escaped keys', app: '{"\\u0069d": "/esc", "labels": {"k\\u0065y": "v"}}'},
    {desc: 'a tasks value that is not a list', app: '{"id": "/t", "tasks": {"id": "x"}}'},
  ]
  for (const c of cases) it(c.desc, () => same(`{"apps": [${c.app}, ${c.app}]}`))

  const broken = [
    '{"apps": [{"id": "/a", "env": {"k" 1}}]}',
    '{"apps": [{"id": "/a", "labels": {"k": "v",}}]}',
    '{"apps": [{"id": "/a", "instances": 01}]}',
    '{"apps": [{"id": "/a", "container": {"docker": {"network": "B" "x": 1}}}]}',
    '{"apps": [{"id": "/a", "healthChecks": [{"path": "/\\x"}]}]}',
    '{"apps": [{"id": "/a", "labels": {"k": "v\u0001"}}]}',
  ]
  for (const text of broken) {
    it(`throws SyntaxError: ${JSON.stringify(text)}`, () => {
      for (const size of [1, 5, 65536]) expect(() => parseAppsChunks(chunks(text, size), readLbApps), `chunks of ${size}`).toThrow(SyntaxError)
    })
  }
})
