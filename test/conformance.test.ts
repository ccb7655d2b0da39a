/**
 * Conformance: every case in fixtures/conformance/ through the real built CLI against a local
 * Marathon, exactly as fixtures/conformance/README.md says. A new case is a new folder, no code.
 */
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {cleanEnv, missingBuild, ROOT, runCli} from './cli-run.js'
import {normalizeConfig, parseRelaxations} from './conformance-compare.js'
import {startFixtureServer} from './fixture-server.js'

const CASES_DIR = join(ROOT, 'fixtures', 'conformance')

function caseNames(): string[] {
  return readdirSync(CASES_DIR, {withFileTypes: true})
    .filter((d) => d.isDirectory() && existsSync(join(CASES_DIR, d.name, 'apps.json')))
    .map((d) => d.name)
    .sort()
}

function readOptional(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

/** `args`: one argument per line (the trailing newline ends the last one). */
function caseArgs(text: string | undefined): string[] {
  if (text === undefined || text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/** `env`: `KEY=VALUE` per line, the value literal (mlb does the `\n` conversion, not the runner). */
function caseEnv(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

async function runCase(name: string): Promise<void> {
  const dir = join(CASES_DIR, name)
  const server = await startFixtureServer(readFileSync(join(dir, 'apps.json')))
  const cwd = mkdtempSync(join(tmpdir(), `mlb-conf-${name}-`))
  try {
    if (existsSync(join(dir, 'templates'))) cpSync(join(dir, 'templates'), join(cwd, 'templates'), {recursive: true})
    const extra = caseArgs(readOptional(join(dir, 'args')))
    const group = extra.includes('--group') ? [] : ['--group', '*']
    const args = ['serve', '--marathon', server.url, '--dry', '--haproxy-config', '/marathon-lb/haproxy.cfg', '--syslog-socket', '/dev/null', ...group, ...extra]
    const res = await runCli(args, {cwd, env: cleanEnv(caseEnv(readOptional(join(dir, 'env'))))})
    if (existsSync(join(dir, 'expected.rc'))) {
      expect(res.code, `expected a refusal; stderr: ${res.stderr}`).not.toBe(0)
      expect(res.stdout).toBe('')
      expect(res.stderr.trim()).not.toBe('')
      return
    }
    expect(res.code, `exit status; stderr:\n${res.stderr}`).toBe(0)
    const relax = parseRelaxations(readOptional(join(dir, 'compare')) ?? '')
    expect(normalizeConfig(res.stdout, relax)).toBe(normalizeConfig(readFileSync(join(dir, 'expected.cfg'), 'utf8'), relax))
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v2/apps?embed=apps.tasks'])
  } finally {
    rmSync(cwd, {recursive: true, force: true})
    await server.close()
  }
}

const notBuilt = missingBuild()

describe('conformance vectors through `node bin/run.js serve --dry`', () => {
  if (notBuilt !== undefined) {
    it('needs the built CLI', () => {
      throw new Error(notBuilt)
    })
    return
  }
  const names = caseNames()
  it('finds the cases', () => {
    expect(names.length).toBeGreaterThan(40)
  })
  // it.concurrent runs at most vitest's maxConcurrency (5) at once: bounded on a 2-core machine.
  for (const name of names) it.concurrent(name, () => runCase(name), 60_000)
})
