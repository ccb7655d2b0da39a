/**
 * Certificate files of the container (spec §2.1 step 6): secret bytes written atomically with
 * mode 0600, and run's self-signed fallback generated with openssl in a private temporary folder.
 * Key material only ever moves through files in that folder; no command line carries a secret.
 */
import {execFile} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {withoutCredentials} from '../credential-env.js'
import {MlbError} from '../errors.js'

/** Result of one child process. */
export interface CommandResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program with arguments, no shell; resolves with its exit status (never rejects on a non-zero exit). */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>

/** The real {@link CommandRunner}: `execFile`, no shell, a 60 s bound. */
export const execRunner: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], {timeout: 60_000, maxBuffer: 4 * 1024 * 1024, env: withoutCredentials(process.env)}, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
      const spawnError = err !== null && typeof err.code === 'string' ? `${err.message}\n` : ''
      resolve({code, stdout: String(stdout), stderr: spawnError + String(stderr)})
    })
  })

/** Writes `bytes` to `path` with mode 0600 via a temporary file and a rename, creating the folder. */
export async function writeSecretFile(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  const tmp = `${path}.tmp-${process.pid}`
  try {
    await writeFile(tmp, bytes, {mode: 0o600, flag: 'w'})
    // writeFile's mode only applies to new files; make sure a leftover tmp is private too.
    await chmod(tmp, 0o600)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, {force: true})
    throw err
  }
}

/** Options of {@link generateSelfSignedCert}. */
export interface SelfSignedOptions {
  readonly run?: CommandRunner
  readonly openssl?: string
  /** Parent of the private temporary folder (default: the OS temp dir). */
  readonly tmpRoot?: string
}

/**
 * run's self-signed certificate: RSA 2048 key, CSR with subject `/CN=*\/`, self-signed x509 for
 * 3650 days, certificate then key in `target` (mode 0600); the temporary folder is removed.
 */
export async function generateSelfSignedCert(target: string, opts: SelfSignedOptions = {}): Promise<void> {
  const run = opts.run ?? execRunner
  const openssl = opts.openssl ?? 'openssl'
  // mkdtemp creates the folder with mode 0700: the key is never readable by anyone else.
  const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'mlb-cert-'))
  const key = join(dir, 'server.key')
  const csr = join(dir, 'server.csr')
  const crt = join(dir, 'server.crt')
  try {
    const steps: ReadonlyArray<readonly string[]> = [
      ['genrsa', '-out', key, '2048'],
      ['req', '-new', '-key', key, '-out', csr, '-subj', '/CN=*/'],
      ['x509', '-req', '-days', '3650', '-in', csr, '-signkey', key, '-out', crt],
    ]
    for (const args of steps) {
      const res = await run(openssl, args)
      if (res.code !== 0) {
        throw new MlbError(`cannot generate the self-signed certificate: openssl ${args[0]} failed (${res.code ?? 'killed'}): ${res.stderr.trim()}`, {code: 'MLB_ERR_CERT'})
      }
    }
    await writeSecretFile(target, Buffer.concat([await readFile(crt), await readFile(key)]))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
