/**
 * `mlb serve --dry` through the real built CLI against local "Marathons": bad answers give one
 * clear error and exit 1 with nothing on stdout; failover works; a bad label excludes only its
 * app with one stderr line; usage errors and help behave as marathon-lb's argparse.
 */
import {describe, expect, it} from 'vitest'

import {missingBuild, runCli, type CliResult} from '../cli-run.js'
import {deadUrl, startFixtureServer, type FixtureHandler} from '../fixture-server.js'

const notBuilt = missingBuild()

function app(id: string, labels: Record<string, string>, port: number): unknown {
  return {
    id,
    labels: {HAPROXY_GROUP: 'external', ...labels},
    portDefinitions: [{port}],
    tasks: [{id: `${id.slice(1)}.t1`, host: '10.0.0.1', ports: [31000 + (port % 1000)], state: 'TASK_RUNNING'}],
  }
}

const GOOD = JSON.stringify({apps: [app('/web', {HAPROXY_0_VHOST: 'web.example.com'}, 10001)]})

/** Runs `serve --dry --group external <args>` against a server with `handler`. */
async function dryAgainst(handler: FixtureHandler | string, args: string[] = []): Promise<CliResult & {requests: number}> {
  const server = await startFixtureServer(handler)
  try {
    const res = await runCli(['serve', '--dry', '--group', 'external', '--syslog-socket', '/dev/null', '--marathon', server.url, ...args])
    return {...res, requests: server.requests.length}
  } finally {
    await server.close()
  }
}

function expectRefused(res: CliResult, message: string): void {
  expect(res.code, res.stderr).toBe(1)
  expect(res.stdout).toBe('')
  expect(res.stderr).toContain(message)
  expect(res.stderr).not.toMatch(/\n\s+at /) // no stack trace for an expected failure
}

describe.skipIf(notBuilt !== undefined)('mlb serve --dry: Marathon failures (issue 2 "Bad input")', () => {
  it.concurrent('Marathon down on every host', async () => {
    const [a, b] = [await deadUrl(), await deadUrl()]
    const res = await runCli(['serve', '--dry', '--group', 'x', '--marathon', a, b])
    expectRefused(res, `mlb serve: error: cannot reach Marathon: ${a}: connection refused; ${b}: connection refused`)
  })

  it.concurrent('a 5xx with a message', async () => {
    const res = await dryAgainst(() => ({status: 503, body: JSON.stringify({message: 'Could not determine the current leader'})}))
    expectRefused(res, 'answered HTTP 503: Could not determine the current leader')
  })

  it.concurrent('a body that is not JSON', async () => {
    const res = await dryAgainst(() => ({status: 200, body: '{"apps": [ {"id": "/web", ', headers: {'content-type': 'application/json'}}))
    expectRefused(res, 'answered HTTP 200 with a body that is not JSON (application/json)')
  })

  it.concurrent('an empty body', async () => {
    const res = await dryAgainst(() => ({status: 200, body: ''}))
    expectRefused(res, 'answered HTTP 200 with an empty body')
  })

  it.concurrent('{} without apps', async () => {
    const res = await dryAgainst(() => ({status: 200, body: '{}'}))
    expectRefused(res, 'answered HTTP 200 without an "apps" list')
  })

  it.concurrent('fails over from a dead first host to a live second one', async () => {
    const dead = await deadUrl()
    const live = await startFixtureServer(GOOD)
    try {
      const res = await runCli(['serve', '--dry', '--group', 'external', '--syslog-socket', '/dev/null', '-m', dead, live.url])
      expect(res.code, res.stderr).toBe(0)
      expect(res.stdout).toContain('backend web_10001\n')
      expect(res.stdout).toContain('  server 10_0_0_1_31001 10.0.0.1:31001')
      expect(res.stderr).toContain(`Marathon ${dead} failed (connection refused), trying ${live.url}`)
      expect(live.requests.map((r) => r.url)).toEqual(['/v2/apps?embed=apps.tasks'])
    } finally {
      await live.close()
    }
  })

  it.concurrent('a bad label excludes only its app, with one stderr line naming app, label and reason', async () => {
    const body = JSON.stringify({apps: [app('/bad', {HAPROXY_0_AUTH: 'no-colons-here', HAPROXY_0_VHOST: 'bad.example.com'}, 10002), JSON.parse(GOOD).apps[0]]})
    const res = await dryAgainst(body)
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('backend web_10001\n')
    expect(res.stdout).not.toContain('bad_10002')
    const lines = res.stderr.split('\n').filter((l) => l.includes('/bad'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('HAPROXY_0_AUTH')
  })
})

describe.skipIf(notBuilt !== undefined)('mlb serve: argparse behaviour through the CLI (spec §1)', () => {
  it.concurrent('a missing --group is a usage error with the usage line and the kept typo', async () => {
    const res = await runCli(['serve', '--dry'])
    expect(res.code).toBe(2)
    expect(res.stdout).toBe('')
    expect(res.stderr).toMatch(/^usage: mlb serve \[-h\] \[--longhelp\]/)
    expect(res.stderr).toContain('mlb serve: error: argument --group is required: pleasespecify at least one group name\n')
  })

  it.concurrent('an unknown flag, an ambiguous prefix and a bad integer exit 2', async () => {
    const results = await Promise.all([
      runCli(['serve', '--group', 'x', '--bogus']),
      runCli(['serve', '--group', 'x', '--haproxy', 'y']),
      runCli(['serve', '--group', 'x', '--max-backoff=soon']),
    ])
    expect(results.map((r) => r.code)).toEqual([2, 2, 2])
    expect(results[0]!.stderr).toContain('mlb serve: error: unrecognized arguments: --bogus')
    expect(results[1]!.stderr).toContain('mlb serve: error: ambiguous option: --haproxy could match --haproxy-config, --haproxy-map, --haproxy-bin, --haproxy-run-dir, --haproxy-state-dir, --haproxy-maxconn, --haproxy-global')
    expect(results[2]!.stderr).toContain("mlb serve: error: argument --max-backoff: invalid int value: 'soon'")
  })

  it.concurrent('an invalid log level and malformed credentials exit 1', async () => {
    const [level, creds] = await Promise.all([
      runCli(['serve', '--group', 'x', '--log-level', 'loud', '--dry']),
      runCli(['serve', '--group', 'x', '--auth-credentials', 'a:b:c', '--dry']),
    ])
    expect(level.code).toBe(1)
    expect(level.stderr).toContain('Invalid log level: LOUD')
    expect(creds.code).toBe(1)
    expect(creds.stderr).toContain('Please provide marathon credentials in user:pass format')
    expect(creds.stderr).not.toContain('a:b:c')
  })

  it.concurrent('--longhelp prints flags, templates and labels, validating nothing else', async () => {
    const res = await runCli(['serve', '--longhelp', '--min-serv-port-ip-per-task', '9'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/^# mlb serve\n/)
    expect(res.stdout).toContain('```\nusage: mlb serve [-h]')
    expect(res.stdout).toContain('## `HAPROXY_HEAD`')
    expect(res.stdout).toContain('**Default template for `HAPROXY_BACKEND_HEAD`:**')
    expect(res.stdout).toContain('## `HAPROXY_{n}_VHOST`')
    expect(res.stdout).toContain('## `HAPROXY_GROUP`')
  })

  it.concurrent('-h prints argparse-style help and accepts the container mode argument', async () => {
    const res = await runCli(['serve', 'sse', '-h'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('  --dry, -d             Only print configuration to console (default: False)')
  })
})

if (notBuilt !== undefined) {
  describe('mlb serve CLI tests', () => {
    it('need the built CLI', () => {
      throw new Error(notBuilt)
    })
  })
}
