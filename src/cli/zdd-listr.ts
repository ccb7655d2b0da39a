/**
 * zdd on a terminal: listr2 shows each step (deploy, scale to N, wait for drain, hook, kill,
 * delete) as a task that spins until the next step begins, with the live counts (new up, old
 * draining, per load balancer) as its output line.
 */
import {Listr, PRESET_TIMER} from 'listr2'

import type {Reporter, ZddEvent, ZddResult} from '../zdd/events.js'
import {eventLine, progressLine, resultLine, zddPyJson, type Write} from './zdd-report.js'

interface Running {
  setOutput(text: string): void
  end(error?: Error): void
}

/** The listr2 renderer; `renderer` is `default` on a terminal (tests pass `silent`). */
export class ListrReporter implements Reporter {
  private current: Running | undefined
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly write: Write,
    private readonly renderer: 'default' | 'silent' = 'default',
  ) {}

  private start(title: string): void {
    this.current?.end()
    let resolveDone: (err?: Error) => void = () => {}
    const done = new Promise<Error | undefined>((resolve) => {
      resolveDone = resolve
    })
    let output: ((text: string) => void) | undefined
    let pending = ''
    this.current = {
      setOutput: (text) => {
        pending = text
        output?.(text)
      },
      end: (error) => resolveDone(error),
    }
    const list = new Listr<object, 'default' | 'silent'>(
      [
        {
          title,
          rendererOptions: {persistentOutput: false},
          task: async (_ctx, task) => {
            output = (text) => {
              task.output = text
            }
            if (pending !== '') task.output = pending
            const err = await done
            if (err !== undefined) throw err
          },
        },
      ],
      {renderer: this.renderer, rendererOptions: {timer: PRESET_TIMER}, exitOnError: true},
    )
    // Steps render one after the other; a failed step is shown as failed, not thrown here.
    this.chain = this.chain.then(() => list.run().then(() => undefined, () => undefined))
  }

  event(e: ZddEvent): void {
    if (e.type === 'progress') {
      this.current?.setOutput(progressLine(e))
      return
    }
    if (e.type === 'appDefinition') {
      this.write(`${zddPyJson(e.app)}\n`)
      return
    }
    this.start(eventLine(e))
  }

  async finish(r: ZddResult): Promise<void> {
    this.current?.end(r.exit === 0 ? undefined : new Error(r.message))
    this.current = undefined
    await this.chain
    this.write(`${resultLine(r)}\n`)
  }
}
