#!/usr/bin/env bash
# The test command (`pnpm test`): lint, typecheck, migration drift check, every package's tests
# against the real PostgreSQL and Redis, then the web end-to-end tests when they exist.
# Runs every step even after a failure (set FAIL_FAST=1 to stop at the first) and ends with a summary.
# TEST_FILTER=<turbo filter> (e.g. @zapflow/db) limits the package tests to some packages.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
LOG_TAG="test"
source scripts/lib/common.sh

export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
export TEST_PG_ADMIN_URL="${TEST_PG_ADMIN_URL:-$DEFAULT_PG_ADMIN_URL}"
export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"

require_services "$TEST_PG_ADMIN_URL" "$REDIS_URL"
[[ -d node_modules ]] || die "dependencies are not installed: run \`pnpm install --frozen-lockfile\` first"

started=$SECONDS
passed=()
failed=()
# Test runners' output is also kept here so the summary can count individual tests.
test_log=$(mktemp -t zapflow-tests.XXXXXX)
trap 'rm -f "$test_log"' EXIT

# logged COMMAND... — runs a test runner, showing and keeping its output.
logged() {
  "$@" 2>&1 | tee -a "$test_log"
  return "${PIPESTATUS[0]}"
}

# Adds up vitest's "Tests  N failed | M passed (T)" lines into "P passed, F failed".
count_tests() {
  sed -E 's/\x1b\[[0-9;]*m//g' "$test_log" | grep -E '^\s*(\S+:\s*)?Tests\s+' |
    awk '{ for (i = 1; i <= NF; i++) { if ($i == "passed") p += $(i-1); if ($i == "failed") f += $(i-1) } }
         END { printf "%d passed, %d failed\n", p, f }'
}

# step NAME COMMAND... — runs one step, records the outcome and its duration.
step() {
  local name=$1 t0=$SECONDS
  shift
  log "▶ $name: $*"
  if "$@"; then
    passed+=("$name ($((SECONDS - t0))s)")
  else
    failed+=("$name")
    log "✗ $name failed after $((SECONDS - t0))s"
    [[ "${FAIL_FAST:-0}" == 1 ]] && summary
  fi
}

summary() {
  local total=$((SECONDS - started))
  echo
  for p in "${passed[@]}"; do echo "  ✓ $p"; done
  for f in "${failed[@]}"; do echo "  ✗ $f"; done
  if ((${#failed[@]})); then
    echo "TEST SUMMARY: FAILED (${failed[*]}) — steps: ${#passed[@]} ok, ${#failed[@]} not ok, ${total}s"
    echo "tests: $(count_tests)"
    exit 1
  fi
  echo "TEST SUMMARY: PASSED — ${#passed[@]} steps in ${total}s"
  echo "tests: $(count_tests)"
  exit 0
}

# The Prisma client is generated (gitignored); every later step needs it.
step generate pnpm --filter @zapflow/db generate
((${#failed[@]})) && summary

step lint pnpm lint
step typecheck pnpm typecheck
# Drift: schema.prisma must match prisma/migrations (exit 2 = a schema change without a migration).
# The command needs a server for its shadow database: the test server.
step migrate:check env DATABASE_URL="$TEST_PG_ADMIN_URL" pnpm --filter @zapflow/db migrate:check
# Packages one after another; inside a package vitest runs files in parallel.
step unit+integration logged pnpm exec turbo run test --concurrency=1 ${TEST_FILTER:+"--filter=$TEST_FILTER"}
if has_package_script apps/web/package.json test:e2e; then
  step web:e2e logged pnpm --filter @zapflow/web test:e2e
fi
summary
