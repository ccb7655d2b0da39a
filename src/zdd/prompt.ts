/**
 * zdd's yes/no questions (spec §8.3: `Continue with deployment? [Y/n] `, `Continue? [Y/n] `).
 * Asked only on a terminal; without one the command refuses up front unless --force.
 */
import {createInterface} from 'node:readline'

/** Asks the operator to confirm. */
export interface Prompter {
  /**
   * Resolves with the answer. When `signal` fires (Ctrl-C, SIGTERM) the question ends at once
   * with `false`; the caller tells that apart from a "no" by checking the signal.
   */
  confirm(question: string, signal?: AbortSignal): Promise<boolean>
}

/** Answers yes to everything (`--force`). */
export const yesPrompter: Prompter = {confirm: async () => true}

/** zdd.py's answers: empty = yes; y/ye/yes/n/no in any case; anything else = ask again. */
export function parseYesNo(answer: string): boolean | undefined {
  const a = answer.trim().toLowerCase()
  if (a === '' || a === 'y' || a === 'ye' || a === 'yes') return true
  if (a === 'n' || a === 'no') return false
  return undefined
}

/** Upper bound on re-asks, so a stuck input cannot loop forever. */
const MAX_ASKS = 20

/** Asks on the given streams (a terminal), as zdd.py's `query_yes_no`. */
export class StreamPrompter implements Prompter {
  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  async confirm(question: string, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted === true) return false
    // Aborting closes the interface, which ends the line iterator below: no answer is awaited.
    const rl = createInterface({input: this.input, terminal: false, ...(signal === undefined ? {} : {signal})})
    // The iterator buffers lines typed ahead, so a re-ask never loses an answer.
    const lines = rl[Symbol.asyncIterator]()
    try {
      for (let i = 0; i < MAX_ASKS; i++) {
        this.output.write(`${question} [Y/n] `)
        const line = await lines.next()
        if (line.done === true) return false // input closed: no answer is not a yes
        const answer = parseYesNo(line.value)
        if (answer !== undefined) return answer
        this.output.write("Please respond with 'yes' or 'no' (or 'y' or 'n').\n")
      }
      return false
    } finally {
      rl.close()
    }
  }
}
