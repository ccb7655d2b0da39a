/**
 * The pre-kill hook (spec §8.3): run directly, never through a shell, as
 * `<hook> <oldAppJSON> <tasksToKillJSON> <newAppJSON>` with Python `json.dumps` text, before each
 * kill. Exit 0 → continue; anything else stops the deploy (exit 2), leaving it resumable.
 *
 * Process arguments are readable by every local user (`/proc/<pid>/cmdline`), so secret-looking
 * environment values and URL passwords in the app JSON are masked, and the hook's environment
 * does not inherit mlb's own credentials.
 */
import {spawn} from 'node:child_process'
import {constants} from 'node:fs'
import {access} from 'node:fs/promises'

import {errorMessage} from '../errors.js'
import {redactUrl} from '../redact.js'
import {HookFailedError} from './errors.js'
import {pythonJson} from './json.js'
import type {JsonObject} from './state.js'

/** Runs a command without a shell; resolves with its exit status (null when killed by a signal). */
export interface HookRunner {
  run(argv: readonly string[]): Promise<{status: number | null; signal: string | null}>
}

const SECRET_NAME = /pass|secret|token|credential|private|api[_-]?key|auth/i
/** Environment variables mlb reads credentials from; never passed on to the hook. */
const CREDENTIAL_ENV = ['DCOS_SERVICE_ACCOUNT_CREDENTIAL', 'MLB_AUTH_CREDENTIALS', 'MLB_DCOS_AUTH_CREDENTIALS', 'MARATHON_PASSWORD']

function maskEnv(env: unknown): unknown {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return env
  const out: Record<string, unknown> = {}
  // Marathon secret references ({"secret": "name"}) are names, not values: kept.
  for (const [k, v] of Object.entries(env)) out[k] = typeof v === 'string' && SECRET_NAME.test(k) ? '***' : v
  return out
}

function maskUris(app: Record<string, unknown>): void {
  if (Array.isArray(app['uris'])) app['uris'] = app['uris'].map((u) => (typeof u === 'string' ? redactUrl(u) : u))
  if (Array.isArray(app['fetch'])) {
    app['fetch'] = app['fetch'].map((f) => {
      if (f === null || typeof f !== 'object') return f
      const entry = f as Record<string, unknown>
      return typeof entry['uri'] === 'string' ? {...entry, uri: redactUrl(entry['uri'])} : entry
    })
  }
}

/** The app JSON handed to the hook: secret-looking env values and URL passwords masked. */
export function hookAppJson(app: JsonObject): JsonObject {
  const copy = structuredClone(app) as Record<string, unknown>
  if ('env' in copy) copy['env'] = maskEnv(copy['env'])
  maskUris(copy)
  return copy
}

/** The hook's argv: path, old app, task ids, new app (Python-style JSON, as zdd.py). */
export function hookArgv(hook: string, oldApp: JsonObject, taskIds: readonly string[], newApp: JsonObject): string[] {
  return [hook, pythonJson(hookAppJson(oldApp)), pythonJson(taskIds), pythonJson(hookAppJson(newApp))]
}

/** Fails early (exit 2, before any change) when the hook is missing or not executable. */
export async function checkHookExecutable(hook: string): Promise<void> {
  try {
    await access(hook, constants.X_OK)
  } catch (err) {
    throw new HookFailedError(`--pre-kill-hook ${hook} is not an executable file: ${errorMessage(err)}`, {cause: err})
  }
}

/** Runs the hook; throws {@link HookFailedError} unless it exits 0. */
export async function runPreKillHook(runner: HookRunner, argv: readonly string[]): Promise<void> {
  let result: {status: number | null; signal: string | null}
  try {
    result = await runner.run(argv)
  } catch (err) {
    throw new HookFailedError(`pre-kill hook ${argv[0] ?? ''} could not be run: ${errorMessage(err)}`, {cause: err})
  }
  if (result.status !== 0) {
    const how = result.status === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with status ${result.status}`
    throw new HookFailedError(`pre-kill hook ${argv[0] ?? ''} ${how}; nothing was killed. Fix it, then run again with --resume`, result.status === null ? {} : {status: result.status})
  }
}

/** {@link HookRunner} that spawns the process; its stdout and stderr go to mlb's stderr. */
export const processHookRunner: HookRunner = {
  run: (argv) =>
    new Promise((resolve, reject) => {
      const [cmd, ...args] = argv
      if (cmd === undefined) {
        reject(new Error('empty hook command'))
        return
      }
      const env = {...process.env}
      for (const name of CREDENTIAL_ENV) delete env[name]
      const child = spawn(cmd, args, {shell: false, stdio: ['ignore', 2, 2], env})
      child.once('error', reject)
      child.once('exit', (status, signal) => resolve({status, signal}))
    }),
}
