#!/usr/bin/env bash
# Build tools/kafka-mock/kafka-mock.c (librdkafka's mock Kafka cluster as a
# standalone process) into .cache/kafka-mock/kafka-mock. Idempotent: does
# nothing when the binary is newer than its source and this script.
#
# librdkafka's source comes from the npm package @confluentinc/kafka-javascript
# (deps/librdkafka), fetched with `npm pack`, so none of its install scripts run.
# Only the static C library is built, with every optional dependency disabled
# (the mock needs none of SSL/SASL/zstd/zlib/curl): needs just cc, make, libc.
#
# Env: LEADGATE_CACHE_DIR (default <repo>/.cache), JOBS (default nproc).
set -euo pipefail

CKJS_VERSION=1.10.1 # ships librdkafka 2.15.1

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LEADGATE_CACHE_DIR:-$repo/.cache}
dir=$cache/kafka-mock
src=$repo/tools/kafka-mock/kafka-mock.c
out=$dir/kafka-mock
lib=$dir/librdkafka-ckjs-$CKJS_VERSION
jobs=${JOBS:-$(nproc)}

log() { echo "[kafka-mock] $*"; }

if [[ -x $out && $out -nt $src && $out -nt ${BASH_SOURCE[0]} ]]; then
  log "up to date: $out"
  exit 0
fi

for tool in cc make tar npm; do
  command -v "$tool" >/dev/null || { log "missing '$tool' (apt-get install build-essential)"; exit 1; }
done

start=$SECONDS
mkdir -p "$dir"

if [[ ! -f $lib/src/librdkafka.a ]]; then
  tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  log "fetching @confluentinc/kafka-javascript@$CKJS_VERSION (npm pack, no scripts)"
  (cd "$tmp" && npm pack --silent "@confluentinc/kafka-javascript@$CKJS_VERSION" >/dev/null)
  tar -xzf "$tmp"/confluentinc-kafka-javascript-"$CKJS_VERSION".tgz -C "$tmp" package/deps/librdkafka
  rm -rf "$lib"
  mv "$tmp/package/deps/librdkafka" "$lib"

  v=$(sed -n 's/^#define RD_KAFKA_VERSION *0x\([0-9a-f]*\).*/\1/p' "$lib/src/rdkafka.h")
  log "configuring librdkafka $((16#${v:0:2})).$((16#${v:2:2})).$((16#${v:4:2}))"
  (cd "$lib" && ./configure --disable-ssl --disable-gssapi --disable-zstd --disable-zlib \
      --disable-curl --disable-lz4-ext --disable-regex-ext --disable-syslog \
      --disable-debug-symbols >"$dir/configure.log" 2>&1) \
    || { tail -30 "$dir/configure.log"; log "configure failed (full log: $dir/configure.log)"; exit 1; }

  log "compiling librdkafka.a with $jobs jobs (takes a minute or two)"
  make -C "$lib/src" -j"$jobs" librdkafka.a >"$dir/make.log" 2>&1 \
    || { tail -30 "$dir/make.log"; log "make failed (full log: $dir/make.log)"; exit 1; }
fi

log "linking $out"
mkdir -p "$dir/include/librdkafka"
cp "$lib/src/rdkafka.h" "$lib/src/rdkafka_mock.h" "$dir/include/librdkafka/"
cc -O2 -Wall -Wextra -o "$out.tmp" "$src" -isystem "$dir/include" "$lib/src/librdkafka.a" -lpthread -lm -ldl -lrt
mv -f "$out.tmp" "$out"

log "built in $((SECONDS - start)) s: $out"
