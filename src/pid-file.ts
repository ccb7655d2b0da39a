/**
 * Pid files: mlb's own (--pid-file, read by the /_mlb_signal endpoints) and HAProxy's (`-p` in
 * the run dir). One decimal pid, written with a newline.
 */
import {mkdir, readFile, unlink, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

/** A pid file's pid: one positive decimal number (whitespace around it allowed), else undefined. */
export function parsePid(text: string): number | undefined {
  const m = /^\s*(\d{1,10})\s*$/.exec(text)
  const pid = m === null ? 0 : Number(m[1])
  return pid > 0 ? pid : undefined
}

/** The pid `path` holds; undefined when the file is missing, unreadable or holds no pid. */
export async function readPidFile(path: string): Promise<number | undefined> {
  return parsePid(await readFile(path, 'utf8').catch(() => ''))
}

/** Writes this process's pid to `path` (creating its folder). */
export async function writePidFile(path: string): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  await writeFile(path, `${process.pid}\n`)
}

/** Removes `path` if it still holds this process's pid: a newer mlb may have taken it over. */
export async function removeOwnPidFile(path: string): Promise<void> {
  if ((await readPidFile(path)) === process.pid) await unlink(path).catch(() => undefined)
}
