#!/usr/bin/env bash
# Installs everything Slipway needs on a fresh machine: Debian's redis-server (when missing), the npm
# dependencies, the real programs `slipway dev up` runs, built from Go modules (tools/build.sh dev), and the
# compiled CLI (dist/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS

if ! command -v redis-server >/dev/null && [[ ! -x /usr/bin/redis-server ]]; then
  echo "==> Installing redis-server from Debian's packages"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null
fi
command -v openssl >/dev/null || { echo "openssl is required (Debian package openssl)" >&2; exit 1; }

echo "==> npm dependencies"
# Install scripts of @pulumi/* would try to download provider plugins; nothing may download at run time.
npm install --no-audit --no-fund --ignore-scripts --loglevel=error

echo "==> tools that \`slipway dev up\` runs"
# Only the dev set: programs that only tests use are built by `npm test` (tools/build.sh dev test).
bash tools/build.sh dev

echo "==> compiling TypeScript"
npm run --silent build

echo "==> installed in $((SECONDS - start)) s"
