/**
 * Function-level CPU profile of the warm in-process render (parse + generateConfig) for one size,
 * to tell the core where time goes: `tsx bench/profile-render.ts [apps] [runs]` prints the
 * functions with the most self time, measured with node:inspector over the timed runs only.
 */
import {Session} from 'node:inspector/promises'
import {tmpdir} from 'node:os'

import {generateConfig, generateOptions} from '../src/generate.js'
import {parseAppsChunks} from '../src/marathon/apps-stream.js'
import {readLbApps} from '../src/marathon/lb-fields.js'
import {loadTemplateSet} from '../src/templates/load.js'
import {generateState} from './gen-state.js'

interface ProfileNode {
  readonly id: number
  readonly callFrame: {readonly functionName: string; readonly url: string; readonly lineNumber: number}
}
interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

function chunksOf(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < body.length; i += 65536) out.push(body.subarray(i, i + 65536))
  return out
}

const apps = Number(process.argv[2] ?? '5000')
const runs = Number(process.argv[3] ?? '10')
const body = Buffer.from(JSON.stringify(generateState(apps)))
const templates = loadTemplateSet({env: {}, cwd: tmpdir()})
const options = generateOptions({groups: ['external'], healthCheck: true})
const once = (): void => {
  generateConfig({marathon: parseAppsChunks(chunksOf(body), readLbApps), options, templates, hostIps: new Map()})
}
for (let i = 0; i < 3; i++) once()
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', {interval: 100})
await session.post('Profiler.start')
const t0 = performance.now()
for (let i = 0; i < runs; i++) once()
const perRun = (performance.now() - t0) / runs
const {profile} = (await session.post('Profiler.stop')) as unknown as {profile: Profile}
session.disconnect()

const time = new Map<number, number>()
profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const byFn = new Map<string, number>()
for (const n of profile.nodes) {
  const cf = n.callFrame
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`
  byFn.set(key, (byFn.get(key) ?? 0) + (time.get(n.id) ?? 0) / 1000 / runs)
}
process.stdout.write(`${apps} apps: ${perRun.toFixed(1)} ms per parse+generate (profiled, ${runs} runs); self time per run:\n`)
for (const [k, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`${ms.toFixed(1).padStart(8)} ms  ${k}\n`)
