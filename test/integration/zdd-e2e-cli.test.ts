/**
 * `mlb zdd` (the built CLI) against the Marathon simulator: the exit codes that need a real
 * Marathon, `--dry-run` changing nothing, the no-terminal refusal and both non-terminal outputs.
 * Each case uses its own deployment group and ports, so the cases do not depend on each other.
 * What changed is read from the simulator's call log.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePorts} from '../haproxy-harness.js'
import {bgApp, startBed, writes, type Bed} from '../zdd-e2e-harness.js'

let bed: Bed

beforeAll(async () => {
  bed = await startBed({lbs: 0, taskPorts: {min: 30300, max: 30399}})
})

afterAll(async () => {
  await bed?.stop()
})

/** An app of its own deployment group `name`, with service and ALT ports that were free. */
async function app(name: string, instances = 1, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const [servicePort, altPort] = (await freePorts(2)) as [number, number]
  return bgApp({id: `/${name}`, group: name, instances, servicePort, altPort, extra})
}

/** Creates `<name>-blue` with zdd's first deploy and waits until Marathon has deployed it. */
async function firstDeploy(name: string, instances = 1): Promise<string> {
  const file = await bed.appFile(`${name}.json`, await app(name, instances))
  const r = await bed.zdd(['-j', file, '-f', '-l', await deadLb()], {lbs: false})
  expect(r.code, r.stderr).toBe(0)
  expect(r.result).toMatchObject({outcome: 'first-deploy', exit: 0, newAppId: `/${name}-blue`})
  await bed.sim.waitForDeployments(20_000)
  return file
}

/** An `-l` URL nothing listens on. */
async function deadLb(): Promise<string> {
  return `http://127.0.0.1:${(await freePorts(1))[0]}`
}

describe('mlb zdd against the simulator', () => {
  it('no terminal and no --force: exit 1 at once, saying to pass --force, nothing changed', async () => {
    const file = await bed.appFile('noforce.json', await app('noforce'))
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb()], {lbs: false})
    expect(r.code).toBe(1)
    expect(r.result).toMatchObject({type: 'result', outcome: 'declined', exit: 1})
    expect(String(r.result['message'])).toContain('--force')
    expect(writes(bed.sim)).toEqual([])
  })

  it('--dry-run on a first deploy prints the app and the plan and changes nothing (exit 0)', async () => {
    const file = await bed.appFile('dry1.json', await app('dry1', 3))
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-d'], {lbs: false})
    expect(r.code, r.stderr).toBe(0)
    expect(r.events.map((e) => e.type)).toEqual(['appDefinition', 'planned', 'result'])
    expect(r.events[0]).toMatchObject({app: {id: '/dry1-blue', instances: 3}})
    expect(r.result).toMatchObject({outcome: 'dry-run', exit: 0})
    expect(writes(bed.sim)).toEqual([])
  })

  it('first deploy, plain text without a terminal: stdout is only the sorted app JSON; timestamped lines and Done on stderr', async () => {
    const file = await bed.appFile('plain.json', await app('plain'))
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false, ndjson: false})
    expect(r.code, r.stderr).toBe(0)
    // zdd.py's stdout contract (`… > final.json`): the final app definition, keys sorted, 2-space indent, nothing else.
    expect(r.stdout).toMatch(/^\{\n {2}"[^]*\n\}\n$/)
    expect(JSON.parse(r.stdout)).toMatchObject({id: '/plain-blue', labels: {HAPROXY_DEPLOYMENT_COLOUR: 'blue', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0'}})
    // Progress on stderr (between zdd's log lines), no ANSI codes.
    expect(r.stderr).not.toMatch(/\x1b\[/)
    const progress = r.stderr.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /.test(l))
    expect(progress[0]).toMatch(/Z Final app definition for \/plain-blue$/)
    expect(progress.at(-1)).toMatch(/^\S+Z Done: Created \/plain-blue .*\(first-deploy, exit 0, /)
    expect(writes(bed.sim)).toEqual(['POST /v2/apps'])
    await bed.sim.waitForDeployments(20_000)
  })

  it('--complete-cur without a hybrid deployment: exit 3, nothing changed', async () => {
    const file = await firstDeploy('cc')
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f', '-c'], {lbs: false})
    expect(r.code).toBe(3)
    expect(r.result).toMatchObject({exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG'})
    expect(writes(bed.sim)).toEqual([])
  })

  it('load balancer unreachable: the new colour is created, then exit 5; nothing killed or deleted', async () => {
    const file = await firstDeploy('lbdown')
    bed.sim.log.clear()
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f', '-s', '0.1'], {lbs: false})
    expect(r.code, r.stdout).toBe(5)
    expect(r.result).toMatchObject({exit: 5, newAppId: '/lbdown-green', oldAppId: '/lbdown-blue'})
    expect(writes(bed.sim)).toEqual(['POST /v2/apps'])

    // Two colours now exist: without --resume/--complete-* it is exit 2 (zdd.py's generic exception).
    bed.sim.log.clear()
    const again = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false})
    expect(again.code).toBe(2)
    expect(String(again.result['message'])).toContain('existing deployment in progress')

    // --dry-run on the resume path observes only (zdd.py acted for real, spec §10.43).
    const dry = await bed.zdd(['-j', file, '-l', await deadLb(), '-r', '-d'], {lbs: false})
    expect(dry.code, dry.stdout).toBe(0)
    const planned = dry.events.find((e) => e.type === 'planned') as {steps: string[]} | undefined
    expect(planned?.steps.join('\n')).toContain('load balancer not readable')
    expect(writes(bed.sim)).toEqual([])
  })

  it('Marathon unreachable, or answering 503: exit 6, nothing changed', async () => {
    const file = await bed.appFile('m6.json', await app('m6'))
    const down = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false, marathon: await deadLb()})
    expect(down.code).toBe(6)
    bed.sim.log.clear()
    bed.sim.faults.failNext(1, 503)
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false})
    expect(r.code).toBe(6)
    expect(String(r.result['message'])).toContain('HTTP 503')
    expect(writes(bed.sim)).toEqual([])
  })

  it('Marathon refuses the new app (422): exit 7', async () => {
    const file = await bed.appFile('c7.json', await app('c7', 1, {cpus: -1}))
    const r = await bed.zdd(['-j', file, '-l', await deadLb(), '-f'], {lbs: false})
    expect(r.code).toBe(7)
    expect(r.result).toMatchObject({exit: 7, code: 'MLB_ERR_ZDD_APP_CREATE'})
    expect(String(r.result['message'])).toContain('422')
    expect(bed.sim.calls({method: 'POST', path: '/v2/apps'}).at(-1)?.status).toBe(422)
  })

  it('a missing HAPROXY_DEPLOYMENT_ALT_PORT is exit 4 and a hook that is not executable exit 2, before any change', async () => {
    const bad = await app('m4')
    delete (bad['labels'] as Record<string, string>)['HAPROXY_DEPLOYMENT_ALT_PORT']
    bed.sim.log.clear()
    const r4 = await bed.zdd(['-j', await bed.appFile('m4.json', bad), '-l', await deadLb(), '-f'], {lbs: false})
    expect(r4.code).toBe(4)
    const hook = `${bed.dir}/not-executable.sh`
    await bed.appFile('not-executable.sh', '#!/bin/sh\n')
    const r2 = await bed.zdd(['-j', await bed.appFile('h2.json', await app('h2')), '-l', await deadLb(), '-f', '--pre-kill-hook', hook], {lbs: false})
    expect(r2.code).toBe(2)
    expect(String(r2.result['message'])).toContain('not an executable file')
    expect(writes(bed.sim)).toEqual([])
  })
})
