/**
 * Issue 2 "Bad input": malformed Marathon JSON never crashes the renderer, and the byte readers
 * (src/marathon/apps-stream.ts and the readers under it) answer exactly what JSON.parse and the
 * model answer. Every conformance state is mutated many times, reproducibly (the seeded prng of
 * bench/gen-state.ts): a value somewhere inside `apps` is replaced by one of another type or an
 * odd string, or a key is removed. A failure prints the seed and the mutations, so it can be
 * replayed.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {prng} from '../../bench/gen-state.js'
import {parseAppsChunks} from '../../src/marathon/apps-stream.js'
import {readLbApps} from '../../src/marathon/lb-fields.js'
import {parseMarathonApps} from '../../src/model/apps.js'
import {generate} from '../builders.js'
import {chunks} from '../chunks.js'
import {ROOT} from '../cli-run.js'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/** Replacement values: every JSON type, numbers out of range, strings that break words or lines. */
const ODD: readonly Json[] = [
  null, true, false, 0, -1, 1.5, 70000, 1e21, -0, '', 'x', 'a b', 'line\nbreak', '{nope}', 'realm:user', '1.2.3.4',
  'TASK_RUNNING', 'HTTP', 'tcp', '#', '"', 'é', [], [1], ['x'], [null], {}, {a: 1}, {ipAddress: '9.9.9.9'}, {alive: true},
]

/** Every place inside `apps` a value can be changed: [parent, key] pairs. */
function places(root: Json, out: [Json[] | {[key: string]: Json}, string | number][] = []): typeof out {
  if (Array.isArray(root)) root.forEach((v, i) => (out.push([root, i]), places(v, out)))
  else if (root !== null && typeof root === 'object') for (const k of Object.keys(root)) (out.push([root, k]), places(root[k]!, out))
  return out
}

/** Applies 1–3 random mutations to a copy of `state`; returns the copy and what was done. */
function mutate(state: {apps: Json[]}, random: () => number): {state: {apps: Json[]}; done: string[]} {
  const copy = structuredClone(state)
  const done: string[] = []
  const n = 1 + Math.floor(random() * 3)
  for (let m = 0; m < n; m++) {
    const all = places(copy.apps)
    if (all.length === 0) break
    const [parent, key] = all[Math.floor(random() * all.length)]!
    if (!Array.isArray(parent) && random() < 0.2) {
      delete parent[key as string]
      done.push(`delete ${String(key)}`)
    } else {
      const value = ODD[Math.floor(random() * ODD.length)]!
      ;(parent as Record<string | number, Json>)[key] = structuredClone(value)
      done.push(`${String(key)} = ${JSON.stringify(value)}`)
    }
  }
  return {state: copy, done}
}

const dir = join(ROOT, 'fixtures', 'conformance')
const states = readdirSync(dir)
  .map((name) => ({name, file: join(dir, name, 'apps.json')}))
  .filter((c) => existsSync(c.file))
  .map((c) => ({name: c.name, state: JSON.parse(readFileSync(c.file, 'utf8')) as {apps: Json[]}}))
  .filter((c) => Array.isArray(c.state.apps) && c.state.apps.length > 0)

const PER_STATE = 40

describe('malformed Marathon JSON, mutated at random (seeded), never crashes and reads the same from bytes', () => {
  it(`${PER_STATE} mutations of each conformance state`, () => {
    expect(states.length).toBeGreaterThan(30)
    let skipped = 0
    for (const [s, {name, state}] of states.entries()) {
      const random = prng(1000 + s)
      for (let i = 0; i < PER_STATE; i++) {
        const {state: bad, done} = mutate(state, random)
        const where = `${name}, mutation ${i} (seed ${1000 + s}): ${done.join('; ')}`
        const text = JSON.stringify(bad)
        try {
          const expected = parseMarathonApps(JSON.parse(text))
          // The byte readers give the model of JSON.parse, however the body is cut.
          for (const size of [7, 65536]) expect(parseMarathonApps(parseAppsChunks(chunks(text, size), readLbApps)), `chunks of ${size}`).toEqual(expected)
          // Generation never throws: a bad app or port is left out with a reason.
          const out = generate(bad)
          for (const entry of out.skipped) expect(entry.reason).toMatch(/\S/)
          skipped += out.skipped.length
        } catch (err) {
          throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, {cause: err})
        }
      }
    }
    // The mutations reach the checks: many states lose an app or port to them.
    expect(skipped).toBeGreaterThan(100)
  })
})
