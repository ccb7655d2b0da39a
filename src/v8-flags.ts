/**
 * The V8 settings every mlb process runs with, applied by bin/run.js before anything else is
 * loaded (and by the render benchmark, so that it measures the code the daemon runs). Each one
 * was measured on the 2-core machine issue 2's targets are set for; figures in docs/serve.md.
 */
import {setFlagsFromString} from 'node:v8'

export const MLB_V8_FLAGS: readonly string[] = [
  // undici parses HTTP/1 with llhttp compiled to WebAssembly. V8 compiles it once quickly
  // (Liftoff) and then again, optimised, on a background thread: ~35 MB more RSS, and a short
  // process (`--dry`, zdd, `-h`) waits up to 100 ms at exit for that second compile. Marathon's
  // bodies only pass through llhttp (it frames them, the byte readers parse them), so the quick
  // code is fast enough for every command, the daemon included. Must be set before undici loads.
  '--liftoff-only',
  // TurboFan inlines callees into a hot function until their bytecode adds up to this (V8's
  // default: 920). A cold 5,000-app `--dry` asks TurboFan for ~150 functions within half a
  // second, and their compiles took ~800 ms of background-thread time: on two cores the queue
  // fell behind, and the hottest readers ran unoptimised meanwhile. With 300, the compiles are
  // smaller and land sooner: the whole process took ~100 ms less and ~130 ms less CPU, while
  // warm (daemon) renders stayed within a few per cent.
  '--max-inlined-bytecode-size-cumulative=300',
]

/** Applies {@link MLB_V8_FLAGS} to this process. */
export function applyV8Flags(): void {
  for (const flag of MLB_V8_FLAGS) setFlagsFromString(flag)
}
