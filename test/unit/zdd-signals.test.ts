/**
 * SIGINT/SIGTERM in `mlb zdd` (docs/zdd.md, exit 130/143): once the run's AbortSignal has fired,
 * no write reaches Marathon, a pending prompt ends at once, the request in flight is aborted, and
 * a pre-kill hook killed by the same signal is an interruption, not a hook failure.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {PassThrough} from 'node:stream'

import {afterEach, describe, expect, it} from 'vitest'

import {MarathonClient} from '../../src/marathon/client.js'
import {HttpLbClient, type LbClient} from '../../src/zdd/lb.js'
import {MarathonZddApi, type MarathonRequester, type ZddMarathon} from '../../src/zdd/marathon.js'
import {StreamPrompter, type Prompter} from '../../src/zdd/prompt.js'
import {runZdd} from '../../src/zdd/run.js'
import {greenApp, world} from './zdd-fakes.js'

const writes = (calls: readonly string[]): string[] => calls.filter((c) => !c.startsWith('GET'))

/** A prompter that answers yes, but first lets `onAsk` act (e.g. deliver a signal) for question n. */
class ActingPrompter implements Prompter {
  readonly questions: string[] = []
  constructor(private readonly onAsk: (question: string, n: number) => void) {}
  async confirm(question: string): Promise<boolean> {
    this.questions.push(question)
    this.onAsk(question, this.questions.length)
    return true
  }
}

/** Resolves when `signal` fires (or at once when it has), rejecting like an aborted request. */
function aborted(signal: AbortSignal | undefined, fallbackMs: number, fallback: Error): Promise<never> {
  return new Promise((_resolve, reject) => {
    const timer = setTimeout(() => reject(fallback), fallbackMs)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(new Error('This operation was aborted'))
    })
  })
}

describe('a signal before the swap loop: nothing is created', () => {
  it('SIGTERM while GET /v2/apps is answered: exit 143, no POST (zdd created the app, then exited 143)', async () => {
    const w = world()
    w.marathon.add(greenApp(2))
    const m = w.marathon
    // The signal arrives while Marathon answers the list (the fake answers anyway).
    const marathon: ZddMarathon = {
      listApps: async () => {
        w.controller.abort('SIGTERM')
        return m.listApps()
      },
      getApp: (id) => m.getApp(id),
      createApp: (app) => m.createApp(app),
      scaleApp: (id, n) => m.scaleApp(id, n),
      killTasks: (ids) => m.killTasks(ids),
      deleteApp: (id) => m.deleteApp(id),
    }
    const r = await runZdd(w.opts, {...w.deps, marathon})
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
    expect(r.message).toContain('--resume')
    expect(writes(w.marathon.calls)).toEqual([])
  })

  it('Ctrl-C at "Continue with deployment?" ends the prompt at once; a later Enter creates nothing (exit 130)', async () => {
    const w = world({interactive: true, force: false})
    w.marathon.add(greenApp(2))
    const input = new PassThrough()
    const output = new PassThrough()
    output.on('data', (d: Buffer) => {
      if (d.toString().endsWith('[Y/n] ')) {
        w.controller.abort('SIGINT')
        input.write('\n') // the operator presses Enter after Ctrl-C
      }
    })
    const r = await runZdd(w.opts, {...w.deps, prompter: new StreamPrompter(input, output)})
    expect(r).toMatchObject({exit: 130, outcome: 'interrupted'})
    expect(writes(w.marathon.calls)).toEqual([])
  })

  it('StreamPrompter: a signal ends the question with no answer, without waiting for input', async () => {
    const controller = new AbortController()
    const answer = new StreamPrompter(new PassThrough(), new PassThrough()).confirm('Continue?', controller.signal)
    controller.abort('SIGINT')
    expect(await answer).toBe(false)
  })
})

describe('a signal during a prompt of the swap: the step asked about is not done', () => {
  /** Number of questions a full interactive run asks. */
  async function questionsOfAFullRun(): Promise<number> {
    const w = world({interactive: true, force: false})
    w.marathon.add(greenApp(3))
    const p = new ActingPrompter(() => {})
    expect((await runZdd(w.opts, {...w.deps, prompter: p})).exit).toBe(0)
    return p.questions.length
  }

  it('Ctrl-C at the first kill prompt, then "yes": exit 130, nothing killed', async () => {
    const w = world({interactive: true, force: false})
    w.marathon.add(greenApp(3))
    const p = new ActingPrompter((q) => {
      if (q === 'Continue?') w.controller.abort('SIGINT')
    })
    const r = await runZdd(w.opts, {...w.deps, prompter: p})
    expect(r).toMatchObject({exit: 130, outcome: 'interrupted'})
    expect(p.questions).toEqual(['Continue with deployment?', 'Continue?'])
    expect(writes(w.marathon.calls).filter((c) => c.startsWith('KILL'))).toEqual([])
  })

  it('SIGTERM at the delete prompt, then "yes": exit 143, the old app stays; --resume deletes it', async () => {
    const last = await questionsOfAFullRun()
    const w = world({interactive: true, force: false})
    w.marathon.add(greenApp(3))
    const p = new ActingPrompter((_q, n) => {
      if (n === last) w.controller.abort('SIGTERM')
    })
    const r = await runZdd(w.opts, {...w.deps, prompter: p})
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
    expect(r.message).toContain('deleting /nginx-green')
    expect(w.marathon.calls.some((c) => c.startsWith('DELETE'))).toBe(false)
    const r2 = await runZdd({...w.opts, resume: true}, {...w.deps, prompter: new ActingPrompter(() => {}), signal: new AbortController().signal})
    expect(r2).toMatchObject({exit: 0, outcome: 'deployed'})
  })
})

describe('a signal aborts the request in flight (not exit 6 after the 46 s read timeout)', () => {
  it('MarathonZddApi passes the signal on and reports the abort as 143', async () => {
    const w = world()
    const hanging: MarathonRequester = {
      request: (_m, _p, _b, signal) => aborted(signal, 500, new Error('no answer within 46000 ms')),
    }
    setTimeout(() => w.controller.abort('SIGTERM'), 20)
    const r = await runZdd(w.opts, {...w.deps, marathon: new MarathonZddApi(hanging)})
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
    expect(r.message).toContain('Interrupted by SIGTERM while listing Marathon apps')
  })

  it('MarathonZddApi sends nothing once the signal has fired', async () => {
    const sent: string[] = []
    const api = new MarathonZddApi({
      request: async <T>(method: string, path: string) => {
        sent.push(`${method} ${path}`)
        return {status: 200, body: {} as T, url: 'http://m'}
      },
    })
    const controller = new AbortController()
    controller.abort('SIGINT')
    await expect(api.createApp({id: '/a'}, controller.signal)).rejects.toMatchObject({exit: 130})
    await expect(api.deleteApp('/a', controller.signal)).rejects.toMatchObject({exit: 130})
    expect(sent).toEqual([])
  })

  it('an aborted load balancer poll is 143, not "load balancer unreachable" (5)', async () => {
    const w = world()
    w.marathon.add(greenApp(2))
    const lb: LbClient = {
      pids: async () => ['1', '2'],
      stats: (_url, signal) => {
        setTimeout(() => w.controller.abort('SIGTERM'), 5)
        return aborted(signal, 200, new Error('Headers Timeout Error'))
      },
    }
    const r = await runZdd(w.opts, {...w.deps, lb})
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
    expect(writes(w.marathon.calls)).toEqual(['POST /v2/apps /nginx-blue instances=1'])
  })

  describe('over HTTP (loopback servers that never answer)', () => {
    const servers: Server[] = []
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => new Promise((done) => {
        s.closeAllConnections()
        s.close(done)
      })))
    })
    /** A server that accepts requests and never answers; counts them. */
    async function silent(): Promise<{url: string; hits: () => number}> {
      let hits = 0
      const s = createServer(() => {
        hits++
      })
      servers.push(s)
      await new Promise<void>((done) => s.listen(0, '127.0.0.1', done))
      return {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits: () => hits}
    }

    it('MarathonClient.request(…, signal) aborts at once and tries no other host', async () => {
      const [a, b] = [await silent(), await silent()]
      const client = new MarathonClient({urls: [a.url, b.url], readTimeoutMs: 5000})
      const controller = new AbortController()
      const started = performance.now()
      setTimeout(() => controller.abort('SIGTERM'), 100)
      await expect(client.request('GET', '/v2/apps', undefined, controller.signal)).rejects.toThrow(/aborted/)
      expect(performance.now() - started).toBeLessThan(2000)
      expect([a.hits(), b.hits()]).toEqual([1, 0])
      await client.destroy()
    })

    it('HttpLbClient aborts a hanging stats call at once', async () => {
      const lb = await silent()
      const controller = new AbortController()
      const started = performance.now()
      setTimeout(() => controller.abort('SIGTERM'), 100)
      await expect(new HttpLbClient(5000).stats(lb.url, controller.signal)).rejects.toBeDefined()
      expect(performance.now() - started).toBeLessThan(2000)
    })
  })
})

describe('pre-kill hook and signals', () => {
  it('zdd signalled while the hook runs and the hook killed by that signal (Jenkins abort): 143, not 2; nothing killed', async () => {
    const w = world({preKillHook: '/bin/true'})
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, {
      ...w.deps,
      hook: {
        run: async () => {
          w.controller.abort('SIGTERM')
          return {status: null, signal: 'SIGTERM'}
        },
      },
    })
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
    expect(r.message).toContain('pre-kill hook')
    expect(w.marathon.calls.some((c) => c.startsWith('KILL'))).toBe(false)
  })

  it("the hook's death reported just before zdd's own signal: still 143", async () => {
    const w = world({preKillHook: '/bin/true'})
    w.marathon.add(greenApp(2))
    // zdd's signal lands during the short grace wait that follows a hook killed by SIGTERM.
    const hook = {run: async () => {
      w.clock.onSleep = () => w.controller.abort('SIGTERM')
      return {status: null, signal: 'SIGTERM'}
    }}
    const r = await runZdd(w.opts, {...w.deps, hook})
    expect(r).toMatchObject({exit: 143, outcome: 'interrupted'})
  })

  it('a hook killed by SIGTERM while zdd was not signalled is a hook failure (2)', async () => {
    const w = world({preKillHook: '/bin/true'})
    w.marathon.add(greenApp(2))
    const r = await runZdd(w.opts, {...w.deps, hook: {run: async () => ({status: null, signal: 'SIGTERM'})}})
    expect(r).toMatchObject({exit: 2, outcome: 'failed'})
    expect(r.message).toContain('was killed by SIGTERM')
  })
})
