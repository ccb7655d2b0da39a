/**
 * The lock behind "one daemon per pid file and HAProxy run dir" (instance.ts): a listening unix
 * socket in Linux's abstract namespace, named after the file's absolute path. Binding a name is
 * atomic, so two daemons started at the same instant cannot both pass the pid-file check, and
 * the kernel frees the name when the process dies, even by SIGKILL: there is never a stale lock
 * to clean up (a lock file would need the same /proc guesswork as the pid file).
 *
 * Abstract names belong to a network namespace: containers that share a pid-file volume but not
 * a network namespace are kept apart by the pid-file check alone, as before.
 */
import {createHash} from 'node:crypto'
import {createServer, type Server} from 'node:net'

/** One resource to hold: what it is (for the caller's message) and its absolute path. */
export interface LockedPath {
  readonly kind: 'pid-file' | 'run-dir'
  readonly path: string
}

/** Held locks; `release()` frees them (idempotent). They also go with the process. */
export interface InstanceLock {
  release(): Promise<void>
}

/**
 * The abstract socket name of one resource: a hash keeps any path within sun_path's 108 bytes,
 * and the leading NUL puts it in the abstract namespace (no file is created).
 */
export function lockName(locked: LockedPath): string {
  return `\0mlb-serve/${locked.kind}/${createHash('sha256').update(locked.path).digest('hex').slice(0, 40)}`
}

function listen(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    // Nobody is meant to connect; whoever does is hung up on.
    const server = createServer((sock) => sock.destroy())
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)))
    server.listen(name, () => {
      server.unref() // the lock never keeps the process alive
      resolve(server)
    })
  })
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

/**
 * Takes every lock in `paths`, or none: resolves with the held locks, or with the first
 * resource another process holds (the locks taken before it are released).
 */
export async function acquireInstanceLock(paths: readonly LockedPath[]): Promise<{lock: InstanceLock} | {taken: LockedPath}> {
  const held: Server[] = []
  let released: Promise<void> | undefined
  const lock: InstanceLock = {release: () => (released ??= Promise.all(held.map(close)).then(() => undefined))}
  try {
    for (const p of paths) {
      const server = await listen(lockName(p))
      if (server === undefined) {
        await lock.release()
        return {taken: p}
      }
      held.push(server)
    }
  } catch (err) {
    await lock.release()
    throw err
  }
  return {lock}
}
