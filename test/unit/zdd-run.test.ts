import {describe, expect, it} from 'vitest'

import {AppCreateError, AppDeleteError, AppScaleError, MarathonEndpointError} from '../../src/errors.js'
import {runZdd} from '../../src/zdd/run.js'
import {greenApp, userApp, world} from './zdd-fakes.js'

const types = (events: readonly {type: string}[]): string[] => events.map((e) => e.type)

describe('runZdd: the run loop against fakes, driven by a fake clock', () => {
  it('first deploy: creates /nginx-blue with the JSON instances and stops (exit 0)', async () => {
    const w = world()
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'first-deploy', exit: 0, newAppId: '/nginx-blue'})
    expect(w.marathon.calls).toEqual(['GET /v2/apps', 'POST /v2/apps /nginx-blue instances=4'])
  })

  it('full blue/green of 4 instances through two LBs: 50 % schedule, kills drained tasks only, deletes green', async () => {
    const w = world()
    w.marathon.add(greenApp(4))
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'deployed', exit: 0, newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
    const calls = w.marathon.calls.filter((c) => !c.startsWith('GET'))
    expect(calls[0]).toBe('POST /v2/apps /nginx-blue instances=1')
    // zdd.py's schedule: 1 → 2, then floor(2 + 1.5) = 3 ≥ old's 3 instances → jump to the target.
    expect(calls.filter((c) => c.startsWith('PUT')).map((c) => c.split('=')[1])).toEqual(['2', '4'])
    // One green task drained per round, then the last two together with the delete.
    expect(calls.filter((c) => c.startsWith('KILL'))).toHaveLength(2)
    expect(calls.at(-1)).toBe('DELETE /nginx-green')
    expect(w.marathon.apps.get('/nginx-blue')?.instances).toBe(4)
    // Every pause is --step-delay; there is no other sleep.
    expect(new Set(w.clock.sleeps)).toEqual(new Set([5000]))
    expect(types(w.reporter.events)).toContain('deleted')
  })

  it('--deploy-timeout: a new release Marathon never finishes deploying stops with exit 10 after the bound, nothing killed or deleted', async () => {
    const w = world({deployTimeoutMs: 60_000})
    w.marathon.add(greenApp(4))
    w.marathon.deploymentPolls = Infinity
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'failed', exit: 10, code: 'MLB_ERR_ZDD_DEPLOY_TIMEOUT', newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
    expect(r.message).toMatch(/^Marathon's deployment of \/nginx-blue did not finish within --deploy-timeout of 60s \(\/nginx-blue has 0 of 1 tasks, \/nginx-green has 4\)/)
    expect(w.marathon.calls.filter((c) => !c.startsWith('GET'))).toEqual(['POST /v2/apps /nginx-blue instances=1'])
    // Polled every --step-delay (5 s) from the first poll that saw the deployment until 60 s had passed.
    expect(w.clock.sleeps).toEqual(Array(12).fill(5000))
    // Without the bound (zdd.py), the same run is still waiting when the fake's poll budget runs out.
    const unbounded = world()
    unbounded.marathon.add(greenApp(4))
    unbounded.marathon.deploymentPolls = Infinity
    expect(await runZdd({...unbounded.opts, maxPolls: 50}, unbounded.deps)).toMatchObject({exit: 2, message: 'unexpected error: swap did not finish within 50 polls'})
  })

  it('--linear-increase 3 grows 1 → 4 → 7 → 8 (capped at the target)', async () => {
    const w = world({linearIncrease: 3})
    w.marathon.add(greenApp(8))
    await runZdd(w.opts, w.deps)
    expect(w.marathon.calls.filter((c) => c.startsWith('PUT')).map((c) => c.split('=')[1])).toEqual(['4', '7', '8'])
  })

  it('hybrid --new-instances 2 on 10: stops at 2 new + 8 old and keeps the old app; --complete-cur then finishes', async () => {
    const w = world({newInstances: 2})
    w.marathon.add(greenApp(10))
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'hybrid', exit: 0})
    expect(w.marathon.apps.get('/nginx-blue')?.instances).toBe(2)
    expect(w.marathon.apps.get('/nginx-green')?.instances).toBe(8)
    expect(w.marathon.calls.some((c) => c.startsWith('DELETE'))).toBe(false)

    const r2 = await runZdd({...w.opts, newInstances: 0, completeCur: true}, w.deps)
    expect(r2).toMatchObject({outcome: 'deployed', exit: 0, newAppId: '/nginx-blue', oldAppId: '/nginx-green'})
    expect(w.marathon.apps.has('/nginx-green')).toBe(false)
    expect(w.marathon.apps.get('/nginx-blue')?.instances).toBe(10)
  })

  it('hybrid then --complete-prev rolls back to the previous colour and deletes the new one', async () => {
    const w = world({newInstances: 2})
    w.marathon.add(greenApp(10))
    await runZdd(w.opts, w.deps)
    const r = await runZdd({...w.opts, newInstances: 0, completePrev: true}, w.deps)
    expect(r).toMatchObject({outcome: 'deployed', newAppId: '/nginx-green', oldAppId: '/nginx-blue'})
    expect(w.marathon.apps.has('/nginx-blue')).toBe(false)
    expect(w.marathon.apps.get('/nginx-green')?.instances).toBe(10)
  })

  it('--complete-cur without a hybrid state is exit 3 and changes nothing', async () => {
    const w = world({completeCur: true})
    w.marathon.add(greenApp(3))
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({exit: 3, code: 'MLB_ERR_ZDD_INVALID_ARG'})
    expect(w.marathon.calls).toEqual(['GET /v2/apps'])
  })

  it('two colours without --resume: exit 2, "existing deployment in progress"', async () => {
    const w = world()
    w.marathon.add(greenApp(3))
    w.marathon.add({...greenApp(1), id: '/nginx-blue', labels: {...(greenApp(1)['labels'] as object), HAPROXY_DEPLOYMENT_STARTED_AT: '2026-02-01T00:00:00.000000'}})
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(2)
    expect(r.message).toMatch(/existing deployment in progress.*--resume/)
  })

  it('no terminal and no --force: refuses at once with exit 1 and makes no call', async () => {
    const w = world({force: false, interactive: false})
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({exit: 1, outcome: 'declined'})
    expect(r.message).toContain('--force')
    expect(w.marathon.calls).toEqual([])
  })

  it('on a terminal, "no" at "Continue with deployment?" is exit 1 with nothing created', async () => {
    const w = world({force: false, interactive: true}, [false])
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(1)
    expect(w.prompter.questions).toEqual(['Continue with deployment?'])
    expect(w.marathon.calls).toEqual(['GET /v2/apps'])
  })

  it('on a terminal, every kill and the delete ask "Continue?"', async () => {
    const w = world({force: false, interactive: true})
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(0)
    expect(w.prompter.questions[0]).toBe('Continue with deployment?')
    expect(w.prompter.questions.slice(1).every((q) => q === 'Continue?')).toBe(true)
    expect(w.prompter.questions.length).toBeGreaterThan(2)
  })

  it('--dry-run on a fresh deploy prints the app and the plan and changes nothing', async () => {
    const w = world({dryRun: true, force: false})
    w.marathon.add(greenApp(4))
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'dry-run', exit: 0})
    expect(w.marathon.calls).toEqual(['GET /v2/apps'])
    const planned = w.reporter.events.find((e) => e.type === 'planned')
    expect(planned?.type === 'planned' && planned.steps.join('\n')).toMatch(/scale \/nginx-blue through 1 → 2 → 4/)
    expect(planned?.type === 'planned' && planned.steps.join('\n')).not.toContain('--deploy-timeout')
    // With the bound, the plan says so.
    const bounded = world({dryRun: true, force: false, deployTimeoutMs: 600_000})
    bounded.marathon.add(greenApp(4))
    await runZdd(bounded.opts, bounded.deps)
    const steps = bounded.reporter.events.find((e) => e.type === 'planned')
    expect(steps?.type === 'planned' && steps.steps.join('\n')).toContain('(backend nginx_10000); each Marathon deployment of /nginx-blue waited for at most 600s (--deploy-timeout)')
  })

  it('--dry-run on the resume path observes only (zdd.py acted for real, §10.43)', async () => {
    const w = world({dryRun: true, resume: true})
    w.marathon.add(greenApp(4))
    await runZdd({...w.opts, dryRun: false, maxPolls: 1}, w.deps) // leaves a deploy in progress
    const before = [...w.marathon.calls]
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({outcome: 'dry-run', exit: 0})
    expect(w.marathon.calls.slice(before.length)).toEqual(['GET /v2/apps'])
    const planned = w.reporter.events.filter((e) => e.type === 'planned').at(-1)
    expect(planned?.type === 'planned' && planned.steps[1]).toMatch(/^next: /)
  })

  it('a failing pre-kill hook stops before any kill with exit 2; --resume finishes the deploy', async () => {
    const w = world({preKillHook: '/bin/true'})
    w.marathon.add(greenApp(3))
    w.hook.status = 7
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({exit: 2, code: 'MLB_ERR_ZDD_HOOK'})
    expect(r.message).toMatch(/exited with status 7.*--resume/)
    expect(w.marathon.calls.some((c) => c.startsWith('KILL'))).toBe(false)
    expect(w.hook.runs[0]).toHaveLength(4)
    expect(JSON.parse(w.hook.runs[0]?.[2] ?? '')).toHaveLength(1)
    w.hook.status = 0
    const r2 = await runZdd({...w.opts, resume: true}, w.deps)
    expect(r2).toMatchObject({exit: 0, outcome: 'deployed'})
    expect(w.marathon.apps.has('/nginx-green')).toBe(false)
  })

  it('a long-lived connection: waits --max-wait, says so, then kills the draining task', async () => {
    const w = world({maxWaitMs: 60_000})
    w.marathon.add(greenApp(2))
    w.lbs.sessions.set('10_0_0_1_31001', 3) // green's first task holds a connection forever
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(0)
    const warnings = w.reporter.events.filter((e) => e.type === 'warning')
    expect(warnings.length).toBeGreaterThan(0)
    expect(JSON.stringify(warnings)).toContain('--max-wait of 60s passed')
    expect(w.clock.mono).toBeGreaterThanOrEqual(60_000)
  })

  it('waits while a load balancer reloads (more than 2 PIDs)', async () => {
    const w = world()
    w.marathon.add(greenApp(1))
    w.lbs.reloadingPolls = 6
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(0)
    expect(w.reporter.events.some((e) => e.type === 'step' && e.step.kind === 'waitLb' && e.step.wait === 'reloading')).toBe(true)
  })

  it('SIGINT between steps: exit 130, says --resume; --resume then finishes', async () => {
    const w = world()
    w.marathon.add(greenApp(3))
    let sleeps = 0
    w.clock.onSleep = () => {
      if (++sleeps === 1) w.controller.abort('SIGINT')
    }
    const r = await runZdd(w.opts, w.deps)
    expect(r).toMatchObject({exit: 130, outcome: 'interrupted'})
    expect(r.message).toContain('--resume')
    w.clock.onSleep = undefined
    const r2 = await runZdd({...w.opts, resume: true}, {...w.deps, signal: new AbortController().signal})
    expect(r2).toMatchObject({exit: 0, outcome: 'deployed'})
  })

  it.each([
    ['list', new MarathonEndpointError('Error while listing Marathon apps: connection refused'), 6],
    ['create', new AppCreateError('Error while creating the app: HTTP 422'), 7],
    ['scale', new AppScaleError('Error while scaling: HTTP 409'), 9],
    ['kill', new AppScaleError('Error while killing: HTTP 500'), 9],
    ['delete', new AppDeleteError('Error while deleting: HTTP 500'), 8],
  ] as const)('a Marathon %s failure exits with its documented code', async (kind, err, exit) => {
    const w = world()
    w.marathon.add(greenApp(2))
    w.marathon.failures.set(kind, err)
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(exit)
    expect(r.message).toBe(err.message)
    if (kind !== 'delete') expect(w.marathon.apps.has('/nginx-green')).toBe(true)
  })

  it('an unreachable load balancer at the start of a round exits 5 without killing', async () => {
    const w = world()
    w.marathon.add(greenApp(2))
    w.lbs.statsFailure = new Error('connect ECONNREFUSED 127.0.0.1:9090')
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(5)
    expect(r.message).toContain('ECONNREFUSED')
    expect(w.marathon.calls.some((c) => c.startsWith('KILL') || c.startsWith('DELETE'))).toBe(false)
  })

  it('app JSON without HAPROXY_DEPLOYMENT_ALT_PORT: exit 4 naming the label', async () => {
    const w = world()
    const app = userApp()
    delete (app['labels'] as Record<string, string>)['HAPROXY_DEPLOYMENT_ALT_PORT']
    const r = await runZdd({...w.opts, appJson: app}, w.deps)
    expect(r).toMatchObject({exit: 4})
    expect(r.message).toContain('HAPROXY_DEPLOYMENT_ALT_PORT')
  })

  it('a hook that is not executable fails before any change (exit 2)', async () => {
    const w = world({preKillHook: '/nonexistent/hook'})
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, w.deps)
    expect(r.exit).toBe(2)
    expect(r.message).toContain('not an executable file')
    expect(w.marathon.calls).toEqual([])
  })
})
