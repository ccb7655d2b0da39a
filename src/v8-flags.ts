/**
 * The V8 settings mlb runs with. Every one was measured on the 2-core machine issue 2's targets
 * are set for; figures in docs/serve.md ("How it stays fast").
 */
import {setFlagsFromString} from 'node:v8'

/** Set by bin/run.js in every mlb process, before undici or any of mlb's code is loaded. */
export const PROCESS_V8_FLAGS: readonly string[] = [
  // undici parses HTTP/1 with llhttp compiled to WebAssembly. V8 compiles it once quickly
  // (Liftoff) and then again, optimised, on a background thread: ~35 MB more RSS, and a short
  // process (`--dry`, zdd, `-h`) waits up to 100 ms at exit for that second compile. Marathon's
  // bodies only pass through llhttp (it frames them, the byte readers parse them), so the quick
  // code is fast enough for every command, the daemon included. Must be set before undici loads.
  '--liftoff-only',
]

/** Added by a one-shot run (`mlb serve --dry`) before it fetches: its code runs once, cold. */
export const ONE_SHOT_V8_FLAGS: readonly string[] = [
  // TurboFan inlines callees into a hot function until their bytecode adds up to this (V8's
  // default: 920). A cold 5,000-app `--dry` asks TurboFan for ~150 functions within half a
  // second, and their compiles took ~800 ms of compiler-thread time: on two cores the queue fell
  // behind, and the hottest readers ran unoptimised meanwhile. With 300 the compiles are smaller
  // and land sooner: ~100 ms less CPU per process, and up to ~100 ms less wall time when the
  // machine is busy. The code is a little slower once warm (~7 % per daemon event), which is why
  // the daemon, which renders the same code thousands of times, keeps V8's default.
  '--max-inlined-bytecode-size-cumulative=300',
]

/** Applies `flags` ({@link PROCESS_V8_FLAGS} or {@link ONE_SHOT_V8_FLAGS}) to this process. */
export function applyV8Flags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag)
}
