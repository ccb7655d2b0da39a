#!/usr/bin/env bash
# The README's first command: set up a fresh Debian machine (Node 20, root) and run the demo of
# `mlb serve` and `mlb zdd` against the Marathon simulator with a real HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."
export OCLIF_SKIP_NEW_VERSION_CHECK=true npm_config_loglevel=error
missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing ${missing[*]} (Debian packages)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi
echo "[setup] build"
npm run --silent build
exec node_modules/.bin/tsx scripts/demo.ts "$@"
