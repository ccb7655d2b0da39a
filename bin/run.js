#!/usr/bin/env node
// `mlb serve` parses its own flags (argparse-compatible), so it starts without oclif's command
// loading, ~100 ms of every `--dry` run (src/cli/serve-process.ts). Everything else, and
// `mlb serve --help`, goes through oclif.

// Credentials on the command line (a credential flag, or a URL with user info) are readable by
// every local user in `ps` and /proc/<pid>/cmdline until the process title overwrites them: do
// it first, not after oclif (~0.2 s) or serve's parser has loaded (both set it again). Node's own
// start-up, before any JavaScript runs, stays visible: prefer the env vars or the credential file.
const CREDENTIAL_FLAGS = ['--auth-credentials', '--dcos-auth-credentials']

/** A credential flag (`--flag[=value]`, abbreviations included: argparse and zdd accept them), or a URL with user info. */
function carriesSecret(arg) {
  const name = arg.split('=')[0]
  if (name.length > 2 && CREDENTIAL_FLAGS.some((flag) => flag.startsWith(name))) return true
  const scheme = arg.indexOf('://')
  return scheme >= 0 && arg.includes('@', scheme + 3)
}

const args = process.argv.slice(2)
const [command, ...rest] = args
if (args.some(carriesSecret)) {
  process.title = /^[a-z][a-z0-9:-]*$/.test(command ?? '') ? `mlb ${command}` : 'mlb'
}

// V8 settings (undici's WebAssembly parser at its first tier), set before undici or any of mlb's
// code is loaded: src/v8-flags.ts says why.
const {applyV8Flags, PROCESS_V8_FLAGS} = await import('../dist/src/v8-flags.js')

applyV8Flags(PROCESS_V8_FLAGS)

if (command === 'serve' && !rest.includes('--help')) {
  const {serveProcess} = await import('../dist/src/cli/serve-process.js')
  await serveProcess(rest)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
