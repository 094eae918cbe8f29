#!/usr/bin/env bash
# The one command CI (and anyone on a fresh Debian 12 machine, as root) runs: installs what
# the tests need, builds, and runs the whole suite on the machine's Node (20) and on Node 24 LTS.
#
#   bash scripts/test-all.sh          (npm run test:all)
#
# Env knobs: LEADGATE_SKIP_NODE24=1   only run the suite on the machine's Node
#            LEADGATE_FORCE_NPM_CI=1  reinstall node_modules even if they look current
# Caches (not tracked by git): .cache/kafka-mock, .cache/node24, .cache/native
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cache=${LEADGATE_CACHE_DIR:-$repo/.cache}
export LEADGATE_CACHE_DIR=$cache
export LEADGATE_REQUIRE_KAFKA=1 # Kafka tests must run, never skip, here
jobs=$(nproc)
t_all=$SECONDS
t_section=$SECONDS
section_name=

banner() {
  [[ -n $section_name ]] && printf '==== %s: done in %d s\n' "$section_name" $((SECONDS - t_section))
  section_name=$1
  t_section=$SECONDS
  printf '\n==================== %s ====================\n' "$1"
}
die() { echo "test-all: $*" >&2; exit 1; }
trap 'exit 130' INT TERM # so EXIT traps (restoring native modules) run on Ctrl-C / kill too

# ---------------------------------------------------------------------------------------------
banner "system packages"
apt_needed=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || apt_needed+=("$2"); }
need_pkg() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]] || apt_needed+=("$1"); }
need_cmd cc build-essential      # kafka mock (librdkafka)
need_cmd c++ build-essential     # better-sqlite3 via node-gyp
need_cmd make build-essential
need_cmd python3 python3         # node-gyp
need_pkg ca-certificates         # npm registry over TLS
# >>> Service packages for later test suites go here, e.g.:
# need_pkg postgresql
# need_pkg dovecot-imapd
# <<<
if ((${#apt_needed[@]})); then
  mapfile -t apt_needed < <(printf '%s\n' "${apt_needed[@]}" | sort -u)
  [[ $(id -u) == 0 ]] || die "missing packages (${apt_needed[*]}); run as root or install them"
  echo "installing: ${apt_needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" </dev/null
else
  echo "all present"
fi
command -v node >/dev/null || die "node is not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "need Node >= 20, have $(node --version)"
echo "node $(node --version), npm $(npm --version 2>/dev/null)"

# ---------------------------------------------------------------------------------------------
banner "npm dependencies"
if [[ ${LEADGATE_FORCE_NPM_CI:-} != 1 && -f node_modules/.package-lock.json &&
      node_modules/.package-lock.json -nt package.json &&
      ( ! -f package-lock.json || node_modules/.package-lock.json -nt package-lock.json ) ]]; then
  echo "node_modules is newer than package.json/package-lock.json: skipping install"
elif [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund </dev/null
else
  npm install --no-audit --no-fund </dev/null
fi
# An interrupted earlier run could have left the Node 24 build of better-sqlite3 in place.
if [[ -d node_modules/better-sqlite3 ]] &&
   ! node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; then
  echo "better-sqlite3 does not load on $(node --version): rebuilding"
  npm rebuild better-sqlite3 </dev/null
fi

# ---------------------------------------------------------------------------------------------
banner "kafka mock broker"
JOBS=$jobs bash scripts/build-kafka-mock.sh

# ---------------------------------------------------------------------------------------------
banner "build (tsc)"
npm run build </dev/null

# ---------------------------------------------------------------------------------------------
banner "test suite on Node $(node --version)"
npx vitest run </dev/null

if [[ ${LEADGATE_SKIP_NODE24:-} == 1 ]]; then
  banner "finished (Node 24 skipped)"
  echo "all green in $((SECONDS - t_all)) s"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
banner "Node 24 LTS and native modules"
node24=$(bash scripts/install-node24.sh)
node24_dir=$(dirname "$(dirname "$node24")") # has bin/node and include/node (headers for node-gyp)
abi_host=$(node -p process.versions.modules)
abi24=$("$node24" -p process.versions.modules)

# better-sqlite3 is a native addon: the Node 24 run needs a build for ABI $abi24. It is built
# in a scratch copy (so node_modules keeps working for the machine's Node), cached per
# version+ABI, swapped in for the Node 24 run and swapped back afterwards (also on failure).
bs3=node_modules/better-sqlite3
if [[ -d $bs3 ]]; then
  bs3_ver=$(node -p "require('./$bs3/package.json').version")
  store=$cache/native/better-sqlite3-$bs3_ver
  addon=$bs3/build/Release/better_sqlite3.node
  mkdir -p "$store/node-v$abi_host"
  cp "$addon" "$store/node-v$abi_host/better_sqlite3.node"
  restore_addon() {
    cp "$store/node-v$abi_host/better_sqlite3.node" "$addon.tmp" && mv -f "$addon.tmp" "$addon"
  }
  trap restore_addon EXIT

  if [[ ! -f $store/node-v$abi24/better_sqlite3.node ]]; then
    scratch=$store/build-node-v$abi24
    rm -rf "$scratch"
    mkdir -p "$scratch/node_modules"
    cp -r "$bs3" "$scratch/node_modules/"
    rm -rf "$scratch/node_modules/better-sqlite3/build"
    printf '{"name":"scratch","version":"0.0.0","private":true,"dependencies":{"better-sqlite3":"%s"}}\n' \
      "$bs3_ver" >"$scratch/package.json"
    echo "building better-sqlite3 $bs3_ver for Node $("$node24" --version) (ABI $abi24), ~2 min"
    t=$SECONDS
    # Node 24 first on PATH so npm and node-gyp run on it; nodedir points node-gyp at Node 24's
    # headers (overrides nodedir=/usr, Node 20's, in ~/.npmrc); no futile prebuilt download.
    (cd "$scratch" && PATH="$(dirname "$node24"):$PATH" npm_config_nodedir="$node24_dir" \
      npm_config_build_from_source=true JOBS=$jobs npm rebuild better-sqlite3 --foreground-scripts \
      >"$scratch/build.log" 2>&1 </dev/null) ||
      { tail -40 "$scratch/build.log"; die "better-sqlite3 build for Node 24 failed ($scratch/build.log)"; }
    "$node24" -e "new (require('$scratch/node_modules/better-sqlite3'))(':memory:').close()"
    mkdir -p "$store/node-v$abi24"
    cp "$scratch/node_modules/better-sqlite3/build/Release/better_sqlite3.node" "$store/node-v$abi24/"
    rm -rf "$scratch"
    echo "built in $((SECONDS - t)) s"
  else
    echo "using cached better-sqlite3 $bs3_ver build for ABI $abi24"
  fi
  cp "$store/node-v$abi24/better_sqlite3.node" "$addon.tmp" && mv -f "$addon.tmp" "$addon"
fi

# ---------------------------------------------------------------------------------------------
banner "test suite on Node $("$node24" --version)"
PATH="$(dirname "$node24"):$PATH" npx vitest run </dev/null

if [[ -d $bs3 ]]; then
  restore_addon
  trap - EXIT
  node -e "new (require('better-sqlite3'))(':memory:').close()" || die "could not restore better-sqlite3 for $(node --version)"
fi

banner "finished"
echo "all green in $((SECONDS - t_all)) s"
