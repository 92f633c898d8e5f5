#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh clone. Installs what it needs (npm packages, Debian's
# Chromium), starts the machine's PostgreSQL (or uses TEST_DATABASE_URL), type-checks, lints,
# builds once, runs unit + integration tests (Vitest) and browser tests (Playwright, against the
# production build) on SQLite and again on PostgreSQL, and ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

failed_steps=()
step() { printf '\n==> %s\n' "$*"; }
run_step() {
  local name=$1
  shift
  step "$name"
  "$@"
  local status=$?
  if [ "$status" != 0 ]; then
    echo "!!! $name failed: exit $status from: $*"
    failed_steps+=("$name")
    return 1
  fi
}

if [ ! -x node_modules/.bin/next ] || [ ! -x node_modules/.bin/tsx ]; then
  run_step "Installing npm packages" npm ci --no-audit --no-fund || exit 1
fi

chromium="${DEPUTY_CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  step "Installing Chromium from Debian"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
      failed_steps+=("Installing Chromium")
  elif command -v sudo >/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
      failed_steps+=("Installing Chromium")
  else
    echo "Chromium is missing: install it (apt-get install chromium) or set DEPUTY_CHROMIUM_PATH."
    failed_steps+=("Installing Chromium")
  fi
fi

# PostgreSQL: TEST_DATABASE_URL when given (a role that may create databases), else the
# PostgreSQL 15 server on this machine's image, started here. No silent skipping: if it cannot be
# had, the run says so and fails.
postgres_ready=0
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  step "Starting PostgreSQL"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
  as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
  if command -v pg_ctlcluster >/dev/null && as_root pg_ctlcluster 15 main start 2>/dev/null ||
    pg_lsclusters 2>/dev/null | grep -q online; then
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    echo "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'deputy_test') THEN
            CREATE ROLE deputy_test LOGIN CREATEDB PASSWORD 'deputy_test'; END IF; END \$\$;" |
      as_postgres "psql -q -v ON_ERROR_STOP=1" &&
      export TEST_DATABASE_URL="postgresql://deputy_test:deputy_test@127.0.0.1:5432/postgres"
  fi
fi
if [ -n "${TEST_DATABASE_URL:-}" ] && node -e "
  const c = new (require('pg').Client)({ connectionString: process.env.TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  c.connect().then(() => c.end()).catch((e) => { console.error(e.message); process.exit(1); });"; then
  postgres_ready=1
else
  echo "!!! PostgreSQL is not available: start it (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL."
  echo "!!! The PostgreSQL half of the suite cannot run; this run fails."
  failed_steps+=("Starting PostgreSQL")
fi

mkdir -p test-results
rm -f test-results/vitest*.json test-results/playwright*.json
rm -rf data/e2e-* data/test

run_step "Type-check" npx tsc --noEmit -p .
run_step "Lint and format" npm run --silent lint
run_step "Unit and integration tests (Vitest, SQLite)" \
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
if [ "$postgres_ready" = 1 ]; then
  run_step "Integration tests (Vitest, PostgreSQL)" \
    env DEPUTY_TEST_ENGINE=postgresql npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest-postgresql.json
fi
if run_step "Production build" npx next build; then
  run_step "Browser tests (Playwright, Chromium, SQLite)" npx playwright test
  if [ "$postgres_ready" = 1 ]; then
    run_step "Browser tests (Playwright, Chromium, PostgreSQL)" env DEPUTY_E2E_ENGINE=postgresql npx playwright test
  fi
else
  echo "Skipping browser tests: the build failed."
fi

DEPUTY_EXPECT_POSTGRES=$postgres_ready node scripts/summarize-tests.mjs "${failed_steps[@]}"
