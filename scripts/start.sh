#!/usr/bin/env bash
# Sets up and starts SuperIMAP on this machine: installs, builds, migrates, seeds, then runs the
# api, imap-client and worker roles as three processes until Ctrl-C (which stops all three cleanly).
set -euo pipefail
cd "$(dirname "$0")/.."

# Explicit, so the roles never guess (an unset NODE_ENV only serves loopback).
export NODE_ENV="${NODE_ENV:-development}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/superimap}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PORT="${PORT:-3000}"
IMAP_CLIENT_HEALTH_PORT="${IMAP_CLIENT_HEALTH_PORT:-3001}"
WORKER_HEALTH_PORT="${WORKER_HEALTH_PORT:-3002}"

bash scripts/ensure-services.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
npm run build --silent
bin/superimap migrate >/dev/null
bin/superimap seed >/dev/null

pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

PORT="$PORT" bin/superimap api &
pids+=($!)
HEALTH_PORT="$IMAP_CLIENT_HEALTH_PORT" bin/superimap imap-client &
pids+=($!)
HEALTH_PORT="$WORKER_HEALTH_PORT" bin/superimap worker &
pids+=($!)

for url in "http://127.0.0.1:$PORT/health" "http://127.0.0.1:$IMAP_CLIENT_HEALTH_PORT/health" \
  "http://127.0.0.1:$WORKER_HEALTH_PORT/health"; do
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.5
  done
done

cat >&2 <<MSG

SuperIMAP is running.
  API:           http://localhost:$PORT/api/v1   (docs: http://localhost:$PORT/api/docs)
  Health:        http://localhost:$PORT/health  imap-client :$IMAP_CLIENT_HEALTH_PORT/health  worker :$WORKER_HEALTH_PORT/health
  Create a partner:  bin/superimap partner create --name "My App" --new-mail-webhook https://my-app.example/hooks/mail
  Stop:          Ctrl-C

MSG
wait -n "${pids[@]}"
