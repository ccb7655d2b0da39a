/**
 * File moves for deploying a configuration (spec §6.4–6.5): temp files next to their
 * destination (same filesystem, so `rename` is atomic), permission bits copied from the file
 * being replaced, and marathon-lb's archive rotation.
 */
import {randomBytes} from 'node:crypto'
import {copyFile, readFile, rename, stat, unlink, writeFile, chmod} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/** Text of `path`, or undefined when it does not exist or cannot be read. */
export async function readTextOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Permission bits of `path`, or 0644 when it does not exist (spec §6.4 step 3). */
async function modeFor(path: string): Promise<number> {
  try {
    return (await stat(path)).mode & 0o7777
  } catch {
    return 0o644
  }
}

/**
 * Writes `text` to a new hidden temp file in the folder of `destination`, with the permission
 * bits of `destination`. Returns the temp path; the caller renames or removes it.
 */
export async function writeTempFor(destination: string, text: string): Promise<string> {
  const tmp = join(dirname(destination), `.${basename(destination)}.mlb-${randomBytes(6).toString('hex')}.tmp`)
  const mode = await modeFor(destination)
  await writeFile(tmp, text, {mode, flag: 'wx'})
  // writeFile's mode is filtered by the umask; the copied bits must survive as they were.
  await chmod(tmp, mode)
  return tmp
}

/** Removes `path`, ignoring a missing file. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch {
    // already gone
  }
}

/** Where and how many versions are archived (`--archive-versions`, spec §6.5). */
export interface ArchivePolicy {
  /** Folder of the archives (marathon-lb: /tmp). */
  readonly dir: string
  /** N: copies `<name>.1` … `<name>.N` are kept; `<name>.1` is always written, even for N ≤ 1. */
  readonly versions: number
}

/**
 * Rotates `<dir>/<name>.k` → `<name>.(k+1)` for k = N−1 … 1 (copying, as marathon-lb does) and
 * copies `source` to `<name>.1`.
 */
export async function archiveCopy(source: string, name: string, policy: ArchivePolicy): Promise<void> {
  for (let k = policy.versions - 1; k >= 1; k--) {
    try {
      await copyFile(join(policy.dir, `${name}.${k}`), join(policy.dir, `${name}.${k + 1}`))
    } catch {
      // that version does not exist yet
    }
  }
  await copyFile(source, join(policy.dir, `${name}.1`))
}

/** Archives `tmp` under `name` (when a policy is given) and renames it onto `destination`. */
export async function moveIntoPlace(
  tmp: string,
  destination: string,
  name: string,
  policy: ArchivePolicy | undefined,
): Promise<void> {
  if (policy !== undefined) await archiveCopy(tmp, name, policy)
  await rename(tmp, destination)
}

/** Writes `text` to `destination` atomically (temp file + rename), without archiving. */
export async function writeAtomic(destination: string, text: string): Promise<void> {
  const tmp = await writeTempFor(destination, text)
  try {
    await rename(tmp, destination)
  } catch (err) {
    await removeQuietly(tmp)
    throw err
  }
}
