/**
 * The pre-kill hook (spec §8.3): run directly, never through a shell, as
 * `<hook> <oldAppJSON> <tasksToKillJSON> <newAppJSON>` with Python `json.dumps` text, before each
 * kill. Exit 0 → continue; anything else stops the deploy (exit 2), leaving it resumable.
 *
 * Process arguments are readable by every local user (`/proc/<pid>/cmdline`), so secret-looking
 * environment values and URL passwords in the app JSON are masked, and the hook's environment
 * does not inherit mlb's own credentials (neither the credential variables nor the user info of
 * a URL such as `MLB_MARATHON=http://user:pass@host`).
 */
import {spawn} from 'node:child_process'
import {constants} from 'node:fs'
import {access, stat} from 'node:fs/promises'
import {delimiter, join, resolve} from 'node:path'

import {withoutCredentials} from '../credential-env.js'
import {errorMessage} from '../errors.js'
import {redactUrl} from '../redact.js'
import {HookFailedError} from './errors.js'
import {pythonJson} from './json.js'
import type {JsonObject} from './state.js'

/** Runs a command without a shell; resolves with its exit status (null when killed by a signal). */
export interface HookRunner {
  /** When `signal` fires, the command gets the same signal (its `reason`, SIGINT or SIGTERM). */
  run(argv: readonly string[], signal?: AbortSignal): Promise<{status: number | null; signal: string | null}>
}

const SECRET_NAME = /pass|secret|token|credential|private|api[_-]?key|auth/i

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

/** Why `path` cannot be executed, or undefined when it is a regular file we may execute. */
async function notExecutable(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path)
    if (!st.isFile()) return st.isDirectory() ? 'it is a directory' : 'it is not a regular file'
    await access(path, constants.X_OK)
    return undefined
  } catch (err) {
    return errorMessage(err)
  }
}

/** libuv's search path when PATH is unset (glibc's `_PATH_DEFPATH`). */
const DEFAULT_PATH = '/usr/bin:/bin'

/**
 * Resolves the hook as spawn (libuv's execvp) will, so a hook that cannot run is refused with
 * exit 2 before any change rather than after the new app exists. A name with a `/` is a path
 * (relative to `cwd`) to a regular executable file; a bare name is looked up in PATH only, as
 * zdd.py's subprocess did: the first entry holding an executable file wins (an empty entry is
 * `cwd`). Returns the file that will run.
 */
export async function checkHookExecutable(hook: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<string> {
  if (hook === '') throw new HookFailedError('--pre-kill-hook is empty')
  if (hook.includes('/')) {
    const why = await notExecutable(resolve(cwd, hook))
    if (why !== undefined) throw new HookFailedError(`--pre-kill-hook ${hook} is not an executable file: ${why}`)
    return hook
  }
  for (const dir of (env['PATH'] ?? DEFAULT_PATH).split(delimiter)) {
    const candidate = join(resolve(cwd, dir), hook)
    if ((await notExecutable(candidate)) === undefined) return candidate
  }
  const local = (await notExecutable(join(cwd, hook))) === undefined
  const hint = local ? `; to run ${hook} from the working directory, write ./${hook}` : ''
  throw new HookFailedError(`--pre-kill-hook ${hook} is not an executable file in PATH (a name without "/" is looked up there)${hint}`)
}

/** Runs the hook; throws {@link HookFailedError} (with the hook's status or signal) unless it exits 0. */
export async function runPreKillHook(runner: HookRunner, argv: readonly string[], signal?: AbortSignal): Promise<void> {
  let result: {status: number | null; signal: string | null}
  try {
    result = await runner.run(argv, signal)
  } catch (err) {
    throw new HookFailedError(`pre-kill hook ${argv[0] ?? ''} could not be run: ${errorMessage(err)}`, {cause: err})
  }
  if (result.status !== 0) {
    const how = result.status === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with status ${result.status}`
    const fields = result.status === null ? (result.signal === null ? {} : {signal: result.signal}) : {status: result.status}
    throw new HookFailedError(`pre-kill hook ${argv[0] ?? ''} ${how}; nothing was killed. Fix it, then run again with --resume`, fields)
  }
}

/**
 * {@link HookRunner} that spawns the process; its stdout and stderr go to mlb's stderr. zdd's own
 * SIGINT/SIGTERM is passed on, so a hook does not keep a stopped deploy waiting.
 */
export const processHookRunner: HookRunner = {
  run: (argv, signal) =>
    new Promise((done, reject) => {
      const [cmd, ...args] = argv
      if (cmd === undefined) {
        reject(new Error('empty hook command'))
        return
      }
      const child = spawn(cmd, args, {shell: false, stdio: ['ignore', 2, 2], env: withoutCredentials(process.env)})
      const forward = (): void => {
        child.kill(signal?.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM')
      }
      signal?.addEventListener('abort', forward, {once: true})
      if (signal?.aborted === true) forward()
      child.once('error', (err) => {
        signal?.removeEventListener('abort', forward)
        reject(err)
      })
      child.once('exit', (status, sig) => {
        signal?.removeEventListener('abort', forward)
        done({status, signal: sig})
      })
    }),
}
