#!/usr/bin/env bash
# Base RSS of each role booted alone with no mailboxes (docs/PERFORMANCE.md, "Base RSS per role").
# Starts `superimap <role>` with LOG_LEVEL=warn, waits for /health, then samples VmRSS every second for
# WINDOW seconds (default 90) and prints the lowest sample and the one at +20 s, each split into the process's
# own memory (anonymous: heap, stacks) and pages mapping files (the node binary and libraries, which every node
# process on the host shares).
# Needs a migrated database: DATABASE_URL, REDIS_URL, REDIS_PREFIX, ENCRYPTION_KEY, SECRET_KEY_BASE set.
# Usage: bench/base-rss.sh [WINDOW] [ROLE...]   (run one measurement at a time: flock /tmp/superimap-measure.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-90}
shift || true
roles=("$@")
[ ${#roles[@]} -eq 0 ] && roles=(api imap-client worker)
port=${BASE_RSS_PORT:-39187}
for role in "${roles[@]}"; do
  if [ "$role" = api ]; then export PORT=$port; else export HEALTH_PORT=$port; fi
  LOG_LEVEL=warn node bin/superimap "$role" >"/tmp/base-rss-$role.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "$role exited: $(cat "/tmp/base-rss-$role.log")"; exit 1; }
    sleep 0.1
  done
  min=999999999
  anon_min=0
  at20=0
  anon20=0
  for s in $(seq 1 "$window"); do
    sleep 1
    kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    anon=$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup")
    if [ "$kb" -lt "$min" ]; then
      min=$kb
      anon_min=$anon
    fi
    if [ "$s" -eq 20 ]; then
      at20=$kb
      anon20=$anon
    fi
  done
  kill -TERM "$pid"
  wait "$pid" || true
  unset PORT HEALTH_PORT
  printf '%-12s lowest %4d MiB = %d own + %d file-backed  (+20 s: %d MiB = %d + %d)\n' "$role" \
    $((min / 1024)) $((anon_min / 1024)) $(((min - anon_min) / 1024)) \
    $((at20 / 1024)) $((anon20 / 1024)) $(((at20 - anon20) / 1024))
done
