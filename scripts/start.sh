#!/usr/bin/env bash
# Sets up and starts SuperIMAP on this machine: installs, builds (only when sources changed), migrates, seeds,
# then runs the api, imap-client and worker roles as three processes until Ctrl-C (which stops all three).
# It says "running" only once every role answers /health; if a role dies or never becomes healthy, it names
# the role and the reason, stops the others and exits 1. Each role's log is also kept in .local/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Explicit, so the roles never guess (an unset NODE_ENV only serves loopback).
export NODE_ENV="${NODE_ENV:-development}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/superimap}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PORT="${PORT:-3000}"
IMAP_CLIENT_HEALTH_PORT="${IMAP_CLIENT_HEALTH_PORT:-3001}"
WORKER_HEALTH_PORT="${WORKER_HEALTH_PORT:-3002}"
START_TIMEOUT="${START_TIMEOUT:-60}"
LOG_DIR="${SUPERIMAP_LOG_DIR:-.local/logs}"

say() { printf 'superimap start: %s\n' "$*" >&2; }

# The newest source file is newer than the build output: build. Otherwise dist/ is current.
needs_build() {
  [ -f dist/apps/cli/src/main.js ] || return 0
  [ -n "$(find apps libs package-lock.json tsconfig.json tsconfig.build.json nest-cli.json -type f \
    -newer dist/apps/cli/src/main.js -print -quit)" ]
}

# The last error a role logged (its JSON lines), as "message: reason"; else its last line.
last_error() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    let found;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line);
        if (entry.level >= 50) found = entry.msg + (entry.err ? ": " + entry.err.message : "");
      } catch { found ??= line; }
    }
    console.log(found ?? lines.at(-1) ?? "(no output)");
  ' "$1" 2>/dev/null || tail -n 1 "$1"
}

bash scripts/ensure-services.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
if needs_build; then
  say "building (sources changed)"
  npm run build --silent >/dev/null
fi
bin/superimap migrate >/dev/null
bin/superimap seed >/dev/null

mkdir -p "$LOG_DIR"
roles=(api imap-client worker)
ports=("$PORT" "$IMAP_CLIENT_HEALTH_PORT" "$WORKER_HEALTH_PORT")
pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# Logs go to the terminal and to the role's file (read back when it fails).
PORT="$PORT" bin/superimap api > >(tee "$LOG_DIR/api.log") 2>&1 &
pids+=($!)
HEALTH_PORT="$IMAP_CLIENT_HEALTH_PORT" bin/superimap imap-client > >(tee "$LOG_DIR/imap-client.log") 2>&1 &
pids+=($!)
HEALTH_PORT="$WORKER_HEALTH_PORT" bin/superimap worker > >(tee "$LOG_DIR/worker.log") 2>&1 &
pids+=($!)

fail() {
  say "the $1 role $2: $3"
  say "full log: $LOG_DIR/$1.log"
  exit 1
}

deadline=$((SECONDS + START_TIMEOUT))
for i in "${!roles[@]}"; do
  role=${roles[$i]}
  url="http://127.0.0.1:${ports[$i]}/health"
  until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      sleep 0.2 # let tee write the last lines
      fail "$role" "failed to start" "$(last_error "$LOG_DIR/$role.log")"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      health=$(curl -sS --max-time 2 "$url" 2>&1 || true)
      fail "$role" "did not become healthy within ${START_TIMEOUT} s" "${health:-no answer}; last error: $(last_error "$LOG_DIR/$role.log")"
    fi
    sleep 0.5
  done
done

cat >&2 <<MSG

SuperIMAP is running.
  API:           http://localhost:$PORT/api/v1   (docs: http://localhost:$PORT/api/docs)
  Health:        http://localhost:$PORT/health  imap-client :$IMAP_CLIENT_HEALTH_PORT/health  worker :$WORKER_HEALTH_PORT/health
  Logs:          $LOG_DIR/{api,imap-client,worker}.log
  Create a partner:  bin/superimap partner create --name "My App" --new-mail-webhook https://my-app.example/hooks/mail
  Stop:          Ctrl-C

MSG

# Once running, a role that exits stops everything, saying which one.
set +e
wait -n "${pids[@]}"
status=$?
for i in "${!roles[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    fail "${roles[$i]}" "stopped (exit $status)" "$(last_error "$LOG_DIR/${roles[$i]}.log")"
  fi
done
exit "$status"
