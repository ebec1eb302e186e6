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
# The web app reaches the worker's demo controls ("Simulate scan") here; follows WORKER_PORT.
export WORKER_URL="${WORKER_URL:-http://127.0.0.1:$WORKER_PORT}"
# The demo pairs numbers against a simulator, so no phone is needed. DEMO_ENGINE picks which:
#   protocol-sim (default) — real, unmodified Baileys in the worker against the WhatsApp Web protocol
#                            simulator on loopback (see "Demo with real Baileys" in the README);
#   simulator              — the in-process fake WhatsApp behind the engine interface;
#   off                    — WA_ENGINE as set (the default when WA_ENGINE is set: baileys = a real phone).
if [[ -z "${DEMO_ENGINE:-}" ]]; then
  if [[ -n "${WA_ENGINE:-}" ]]; then DEMO_ENGINE=off; else DEMO_ENGINE=protocol-sim; fi
fi
case "$DEMO_ENGINE" in
  protocol-sim) export WA_ENGINE=baileys ;;
  simulator) export WA_ENGINE=simulator ;;
  off) export WA_ENGINE="${WA_ENGINE:-baileys}" ;;
  *) die "DEMO_ENGINE must be protocol-sim, simulator or off (got $DEMO_ENGINE)" ;;
esac
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
if [[ "$DEMO_ENGINE" == protocol-sim ]]; then
  # The protocol simulator first, in its own group; its JSON banner carries the root key Baileys must trust.
  sim_port="${PROTOCOL_SIM_PORT:-7100}" sim_admin_port="${PROTOCOL_SIM_ADMIN_PORT:-7101}"
  # Absolute paths: pnpm runs the simulator from packages/whatsapp.
  sim_info="$PWD/.data/protocol-sim.json" sim_cert="$PWD/.data/protocol-sim-media.pem"
  mkdir -p .data
  rm -f "$sim_info" "$sim_cert"
  setsid pnpm --silent --filter @zapflow/whatsapp sim -- --port "$sim_port" --admin-port "$sim_admin_port" \
    --seed "${PROTOCOL_SIM_SEED:-1}" --media-cert-out "$sim_cert" >"$sim_info" &
  pids+=($!)
  sim_ready() { [[ -s "$sim_cert" ]] && node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$sim_info" 2>/dev/null; }
  wait_until 60 sim_ready || die "the protocol simulator did not start (ports $sim_port/$sim_admin_port in use?)"
  sim_field() { node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]])' "$sim_info" "$1"; }
  WA_WEBSOCKET_URL=$(sim_field wsUrl) WA_TRUSTED_ROOT_KEY=$(sim_field rootPublicKey)
  WA_PROTOCOL_SIM_ADMIN_URL=$(sim_field adminUrl)
  # Baileys downloads media with global fetch: the worker trusts the simulator's media certificate.
  NODE_EXTRA_CA_CERTS="$sim_cert"
  export WA_WEBSOCKET_URL WA_TRUSTED_ROOT_KEY WA_PROTOCOL_SIM_ADMIN_URL NODE_EXTRA_CA_CERTS
  log "protocol simulator on $WA_WEBSOCKET_URL (admin $WA_PROTOCOL_SIM_ADMIN_URL)"
fi
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
    Worker:  http://localhost:$WORKER_PORT/health   (WA_ENGINE=$WA_ENGINE, DEMO_ENGINE=$DEMO_ENGINE)

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
