# Shared helpers for scripts/test.sh, scripts/start.sh and .ci/run (sourced, not executed).
# Service checks use pg_isready / redis-cli when installed and fall back to bash's /dev/tcp.

# shellcheck disable=SC2034 # used by the scripts that source this file
DEFAULT_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/zapflow"
# shellcheck disable=SC2034
DEFAULT_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:5432/postgres"
# shellcheck disable=SC2034
DEFAULT_REDIS_URL="redis://127.0.0.1:6379"

log() { printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-zapflow}" "$*"; }
die() { printf '\033[1;31m[%s] error:\033[0m %s\n' "${LOG_TAG:-zapflow}" "$*" >&2; exit 1; }

# url_field URL host|port|user|database → prints the field (node parses the URL; it is always present).
url_field() {
  node -e '
    const u = new URL(process.argv[1]); const f = process.argv[2];
    const defaults = { "postgresql:": "5432", "postgres:": "5432", "redis:": "6379", "rediss:": "6379" };
    const v = { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port || defaults[u.protocol] || "",
      user: decodeURIComponent(u.username), database: decodeURIComponent(u.pathname.slice(1)) }[f];
    process.stdout.write(v ?? "");' "$1" "$2"
}

is_local_host() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

# tcp_open HOST PORT — true if something accepts a TCP connection within 2 s.
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

postgres_ready() {
  local url=$1 host port user
  host=$(url_field "$url" host); port=$(url_field "$url" port); user=$(url_field "$url" user)
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port" -U "${user:-postgres}" -t 2
  else
    tcp_open "$host" "$port"
  fi
}

redis_ready() {
  local url=$1 host port reply
  if command -v redis-cli >/dev/null 2>&1; then
    reply=$(timeout 3 redis-cli -u "$url" ping 2>/dev/null) || return 1
    [[ "$reply" == PONG* || "$reply" == NOAUTH* ]]
  else
    host=$(url_field "$url" host); port=$(url_field "$url" port)
    reply=$(timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && head -c 6 <&3" 2>/dev/null) \
      || return 1
    [[ "$reply" == "+PONG"* || "$reply" == "-NOAUTH"* ]]
  fi
}

# Start commands for this machine kind's local services (see shared/stack-notes.md).
start_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$version" ]] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || return 1
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$1" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

# wait_until SECONDS CHECK ARGS... — polls CHECK every 0.5 s.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# require_services: fail fast with a clear message (tests must not hang on a missing service).
require_services() {
  local pg_url=$1 redis_url=$2
  postgres_ready "$pg_url" || die "PostgreSQL is not reachable at $(url_field "$pg_url" host):$(url_field "$pg_url" port). Start it (bash .ci/run starts local services) or set TEST_PG_ADMIN_URL / DATABASE_URL."
  redis_ready "$redis_url" || die "Redis is not reachable at $(url_field "$redis_url" host):$(url_field "$redis_url" port). Start it (bash .ci/run starts local services) or set REDIS_URL."
}

# ensure_services: start local Postgres/Redis when they are down, then wait until they answer.
ensure_services() {
  local pg_url=$1 redis_url=$2 host
  if ! postgres_ready "$pg_url"; then
    host=$(url_field "$pg_url" host)
    is_local_host "$host" || die "PostgreSQL at $host is not reachable (remote: start it yourself)."
    log "PostgreSQL is down: starting it"
    start_postgres || die "could not start PostgreSQL (is it installed? expected pg_ctlcluster and /etc/postgresql/<version>)"
    wait_until 60 postgres_ready "$pg_url" || die "PostgreSQL did not answer within 60 s"
  fi
  if ! redis_ready "$redis_url"; then
    host=$(url_field "$redis_url" host)
    is_local_host "$host" || die "Redis at $host is not reachable (remote: start it yourself)."
    log "Redis is down: starting it"
    start_redis "$(url_field "$redis_url" port)" || die "could not start Redis (is redis-server installed?)"
    wait_until 30 redis_ready "$redis_url" || die "Redis did not answer within 30 s"
  fi
  log "PostgreSQL and Redis are up"
}

# quietly COMMAND... — runs COMMAND, showing its output only if it fails.
quietly() {
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}

# has_package_script PACKAGE_JSON NAME — true if that package.json defines the script.
has_package_script() {
  [[ -f "$1" ]] && node -e 'process.exit(require(process.argv[1]).scripts?.[process.argv[2]] ? 0 : 1)' "$(realpath "$1")" "$2"
}

# load_env_file FILE — exports KEY=VALUE lines (optional quotes, `export ` prefix, # comments) for
# keys the environment does not set already. An empty value counts as unset (the default applies).
load_env_file() {
  local line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%$'\r'}"
    if [[ -z "$line" || "$line" == \#* || "$line" != *=* ]]; then continue; fi
    line="${line#export }"
    key="${line%%=*}"
    value="${line#*=}"
    if [[ ! "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then continue; fi
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    if [[ -n "$value" && -z "${!key+x}" ]]; then export "$key=$value"; fi
  done <"$1"
}
