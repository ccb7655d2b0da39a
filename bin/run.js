#!/usr/bin/env node
// `mlb serve` parses its own flags (argparse-compatible), so it starts without oclif's command
// loading, ~100 ms of every `--dry` run (src/cli/serve-process.ts). Everything else, and
// `mlb serve --help`, goes through oclif.

// V8 settings (undici's WebAssembly parser at its first tier), set before undici or any of mlb's
// code is loaded: src/v8-flags.ts says why.
import {applyV8Flags, PROCESS_V8_FLAGS} from '../dist/src/v8-flags.js'

applyV8Flags(PROCESS_V8_FLAGS)

const [command, ...rest] = process.argv.slice(2)
if (command === 'serve' && !rest.includes('--help')) {
  const {serveProcess} = await import('../dist/src/cli/serve-process.js')
  await serveProcess(rest)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
