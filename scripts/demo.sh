#!/usr/bin/env bash
# The README's first command: set up a fresh Debian machine (Node 20, root) and run the demo of
# `mlb serve` and `mlb zdd` against the Marathon simulator with a real HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."
export OCLIF_SKIP_NEW_VERSION_CHECK=true npm_config_loglevel=error
if ! command -v haproxy >/dev/null 2>&1; then
  echo "[setup] installing haproxy (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
if [ ! -d node_modules ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi
echo "[setup] build"
npm run --silent build
exec node_modules/.bin/tsx scripts/demo.ts "$@"
