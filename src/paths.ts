import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cachedRoot: string | undefined

/**
 * The installed package's root folder (where `templates/`, `lua/` and `package.json` live).
 * Found by walking up from this module, because the depth differs between `src/` (dev, tests)
 * and `dist/src/` (built).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'mlb') {
          cachedRoot = dir
          return dir
        }
      } catch {
        // not ours: keep walking
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the mlb package root')
    dir = parent
  }
}

/** Folder of the default Handlebars templates. */
export function defaultTemplatesDir(): string {
  return join(packageRoot(), 'templates')
}

/** Folder of the HAProxy Lua services. */
export function luaDir(): string {
  return join(packageRoot(), 'lua')
}
