#!/usr/bin/env bash
# The one command CI (and anyone on a fresh Debian 12 machine, as root) runs: installs what
# the tests need, builds, and runs the whole suite on the machine's Node (20) and on Node 24 LTS.
#
#   bash scripts/test-all.sh          (npm run test:all)
#
# Env knobs: LEADGATE_SKIP_NODE24=1   only run the suite on the machine's Node
#            LEADGATE_FORCE_NPM_CI=1  reinstall node_modules even if they look current
# Caches (not tracked by git): .cache/kafka-mock, .cache/node24
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cache=${LEADGATE_CACHE_DIR:-$repo/.cache}
export LEADGATE_CACHE_DIR=$cache
export LEADGATE_REQUIRE_KAFKA=1 # Kafka tests must run, never skip, here
export LEADGATE_REQUIRE_IMAP=1  # so must the IMAP tests (Dovecot is installed above)
export LEADGATE_REQUIRE_CHROMIUM=1 # and the browser form test (Debian's chromium is installed above)
export LEADGATE_REQUIRE_POSTGRES=1 # and the PostgreSQL store and multi-instance tests (postgresql is installed above)
export LEADGATE_REQUIRE_FAULTS=1 # and the full-disk fault test (CI runs as root, so it can mount a small tmpfs)
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
# >>> Service packages for later test suites go here:
need_pkg postgresql              # PostgreSQL store + multi-instance tests (test/support/postgres.ts runs /usr/lib/postgresql/*/bin/postgres)
need_pkg dovecot-imapd           # IMAP tests: a real Dovecot (test/support/dovecot.ts; brings dovecot-core, doveadm, the dovecot/dovenull users)
need_cmd openssl openssl         # IMAP STARTTLS test: a throwaway self-signed certificate
need_pkg chromium                # website form test: a real headless browser posts a dealer page's form (test/forms-browser.test.ts)
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
banner "Node 24 LTS"
node24=$(bash scripts/install-node24.sh)
# No native rebuild: on Node 24 the store loads better-sqlite3 13 (N-API, prebuilt in the
# package); better-sqlite3 12 serves Node 20 only (see src/stores/sqlite-driver.ts).
"$node24" -e "import('./dist/src/stores/sqlite-driver.js').then((m) => console.log('sqlite driver on', process.version + ':', m.driverName))"

# ---------------------------------------------------------------------------------------------
banner "test suite on Node $("$node24" --version)"
PATH="$(dirname "$node24"):$PATH" npx vitest run </dev/null

banner "finished"
echo "all green in $((SECONDS - t_all)) s"
