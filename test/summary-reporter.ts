import {writeSync} from 'node:fs'

import type {Reporter, TestModule} from 'vitest/node'

/**
 * Prints `N passed, N failed[, N skipped]` as the very last line of the run (CI reads it).
 * Written from the process `exit` event because vitest runs reporters' `onTestRunEnd`
 * concurrently and other reporters may print after it.
 */
export default class SummaryReporter implements Reporter {
  private line = ''

  onInit(): void {
    process.once('exit', () => {
      if (this.line) writeSync(1, `\n${this.line}\n`)
    })
  }

  onTestRunEnd(mods: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const m of mods) {
      let n = 0
      for (const t of m.children.allTests()) {
        n++
        const s = t.result().state
        if (s === 'passed') passed++
        else if (s === 'failed') failed++
        else skipped++
      }
      if (n === 0 && m.state() === 'failed') failed++
    }
    failed += unhandled.length
    this.line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`
  }
}
