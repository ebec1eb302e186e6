#!/usr/bin/env bash
# The run command (`pnpm start`): local PostgreSQL + Redis, database, migrations, demo seed, web build,
# then the worker and the web app, each in its own process group so Ctrl-C stops every child
# (killing pnpm alone would leave next-server and tsx running).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LOG_TAG=start
source scripts/lib/common.sh

# .env fills in what the environment does not already set.
if [[ -f .env ]]; then
  load_env_file .env
  log "loaded .env"
fi

export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
export DATABASE_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"
export PORT="${PORT:-3000}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-http://localhost:$PORT}"
export WORKER_PORT="${WORKER_PORT:-3001}"
# The demo pairs numbers against the in-process WhatsApp simulator, so no phone is needed.
export WA_ENGINE="${WA_ENGINE:-simulator}"
export ENABLE_SIMULATOR_API="${ENABLE_SIMULATOR_API:-true}"

# Secrets generated once into .data/ (gitignored). `next start` runs with NODE_ENV=production, where a
# missing ENCRYPTION_KEY is an error, so both processes get the same key explicitly.
if [[ -z "${ENCRYPTION_KEY:-}" ]]; then
  key_file="${ENCRYPTION_KEY_FILE:-.data/dev-encryption-key}"
  node scripts/generate-secrets.mjs "$key_file"
  ENCRYPTION_KEY=$(tr -d '\n' <"$key_file")
  export ENCRYPTION_KEY
fi
if [[ -z "${NEXTAUTH_SECRET:-}" ]]; then
  node scripts/generate-secrets.mjs .data/nextauth-secret
  NEXTAUTH_SECRET=$(tr -d '\n' <.data/nextauth-secret)
  export NEXTAUTH_SECRET
fi

command -v pnpm >/dev/null 2>&1 || die "pnpm is missing: npm i -g pnpm@12.21.0"
ensure_services "$DATABASE_URL" "$REDIS_URL"

if [[ ! -d node_modules ]]; then
  log "installing dependencies"
  pnpm install --frozen-lockfile
fi

log "preparing the database $(url_field "$DATABASE_URL" database)"
pnpm --silent --filter @zapflow/db db:create
quietly pnpm --silent --filter @zapflow/db generate || die "prisma generate failed"
quietly pnpm --silent --filter @zapflow/db migrate:deploy || die "migrations failed"
log "migrations applied"
seed_output=$(pnpm --silent --filter @zapflow/db seed) || die "seed failed"

if [[ "${SKIP_WEB_BUILD:-0}" == 1 && -d apps/web/.next ]]; then
  log "SKIP_WEB_BUILD=1: reusing the previous web build"
else
  log "building the web app"
  pnpm --filter @zapflow/web build
fi

pids=()
stopping=0
stop_all() {
  if ((stopping)); then return 0; fi
  stopping=1
  log "stopping web and worker"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # Give them time to close sockets and release session leases, then force.
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# setsid: each app leads a new process group whose id is its pid, so one signal reaches all its children.
command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) is required"
setsid pnpm --filter @zapflow/worker start &
pids+=($!)
setsid pnpm --filter @zapflow/web start &
pids+=($!)

web_up() {
  node -e 'fetch(process.argv[1], { redirect: "manual" }).then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$PORT"
}
if wait_until 90 web_up; then
  cat <<EOF

  Zapflow is running
    Web:     $NEXTAUTH_URL
    Queues:  $NEXTAUTH_URL/admin/queues (platform admin)
    Worker:  http://localhost:$WORKER_PORT/health   (WA_ENGINE=$WA_ENGINE)

$(sed 's/^/  /' <<<"$seed_output")

  Ctrl-C stops both.
EOF
else
  log "the web app did not answer on port $PORT within 90 s (still starting?); see its output above"
fi

# Whichever process exits first ends the run, and the trap stops the other.
set +e
wait -n "${pids[@]}"
status=$?
((stopping)) || log "a process exited (status $status): stopping the other"
exit "$status"
