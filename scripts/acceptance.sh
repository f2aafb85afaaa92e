#!/usr/bin/env bash
# npm run acceptance [-- <cucumber-js arguments>]
#
# 1. installs whatever the local stack is missing (with STACK=external or docker,
#    only the npm packages),
# 2. runs Cucumber with the given arguments (default profile: every scenario),
# 3. judges the run against the known-defect ledger (known-defects.yaml) and ends
#    with the two verdict lines. Exit 0 only with no failure, no unexpected pass and
#    no changed failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${ACCEPTANCE_SKIP_INSTALL:-}" != 1 ]; then
  case "${STACK:-}" in
    external|docker)
      # No local stack is needed, only the npm packages.
      if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error || exit $?
      fi
      ;;
    *)
      bash scripts/install.sh || exit $?
      ;;
  esac
fi

mkdir -p reports
rm -f reports/cucumber-messages.ndjson reports/verdict.json

# Cucumber runs in the background so that a TERM or INT sent to this script reaches it
# (its hooks then stop the stack) before the verdict is skipped.
node_modules/.bin/cucumber-js "$@" &
CUCUMBER=$!
trap 'kill -INT $CUCUMBER 2>/dev/null; wait $CUCUMBER; exit 130' INT
trap 'kill -TERM $CUCUMBER 2>/dev/null; wait $CUCUMBER; exit 143' TERM
wait $CUCUMBER
CUCUMBER_RC=$?
trap - INT TERM
echo "[acceptance] cucumber-js exited with $CUCUMBER_RC; judging the run against known-defects.yaml"

exec node --import ./test/register.mjs tools/verdict.ts \
  --messages reports/cucumber-messages.ndjson --ledger known-defects.yaml --json reports/verdict.json
