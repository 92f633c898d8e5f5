#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh clone. Installs what it needs (npm packages, Debian's
# Chromium), type-checks, lints, builds once, runs unit + integration tests (Vitest) and browser
# tests (Playwright, against the production build), and ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

failed_steps=()
step() { printf '\n==> %s\n' "$*"; }
run_step() {
  local name=$1
  shift
  step "$name"
  if ! "$@"; then
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

mkdir -p test-results
rm -f test-results/vitest.json test-results/playwright.json
rm -rf data/e2e-* data/test

run_step "Type-check" npx tsc --noEmit -p .
run_step "Lint and format" npm run --silent lint
run_step "Unit and integration tests (Vitest)" \
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
if run_step "Production build" npx next build; then
  run_step "Browser tests (Playwright, Chromium)" npx playwright test
else
  echo "Skipping browser tests: the build failed."
fi

node scripts/summarize-tests.mjs "${failed_steps[@]}"
