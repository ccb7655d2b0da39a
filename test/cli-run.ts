/**
 * Runs the real built CLI (`node bin/run.js …`) as a child process, without a shell, with a
 * time limit, and collects its output. Shared by the conformance runner, the serve integration
 * tests and the benchmark.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The project root (this file lives in test/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Path of the CLI entry point. */
export const BIN = join(ROOT, 'bin', 'run.js')

/** Why the built CLI cannot run, or undefined when dist/ and the manifest are there. */
export function missingBuild(): string | undefined {
  for (const f of ['dist/commands/serve.js', 'oclif.manifest.json']) {
    if (!existsSync(join(ROOT, f))) return `${f} is missing: run \`npm run build\` before the CLI tests`
  }
  return undefined
}

/** Variables that change what `mlb serve` does; removed so tests are hermetic (conformance README). */
export function isBehaviourVariable(name: string): boolean {
  return (
    name.startsWith('HAPROXY_') ||
    ['FRAMEWORK_NAME', 'DCOS_SERVICE_ACCOUNT_CREDENTIAL', 'MARATHON_USER', 'MARATHON_PASSWORD', 'POLL_INTERVAL', 'SYSLOG_SOCKET'].includes(name)
  )
}

/** The inherited environment without {@link isBehaviourVariable} names, plus `extra`. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !isBehaviourVariable(k)) env[k] = v
  return {...env, ...extra}
}

/** Output of one CLI run. */
export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs `node bin/run.js <args>`; kills it after `timeoutMs`. */
export function runCli(args: readonly string[], opts: {cwd?: string; env?: Record<string, string>; timeoutMs?: number} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [BIN, ...args], {cwd: opts.cwd ?? ROOT, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
      })
    })
  })
}
