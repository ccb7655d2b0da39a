#!/usr/bin/env node
// `mlb serve` parses its own flags (argparse-compatible), so it starts without oclif's command
// loading, ~100 ms of every `--dry` run (src/cli/serve-process.ts). Everything else, and
// `mlb serve --help`, goes through oclif.
import {setFlagsFromString} from 'node:v8'

// undici parses HTTP/1 with llhttp compiled to WebAssembly. V8 compiles it once quickly
// (Liftoff) and then again, optimised, on a background thread: ~35 MB more RSS, and a short
// process (`--dry`, zdd, `-h`) waits up to 100 ms at exit for that second compile. Marathon's
// bodies only pass through llhttp (it frames them, the byte readers parse them), so the quick
// code is fast enough for every command, the daemon included. Set before undici is loaded.
setFlagsFromString('--liftoff-only')

const [command, ...rest] = process.argv.slice(2)
if (command === 'serve' && !rest.includes('--help')) {
  const {serveProcess} = await import('../dist/src/cli/serve-process.js')
  await serveProcess(rest)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
