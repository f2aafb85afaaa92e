#!/usr/bin/env bash
# npm test: the project's own tests, then the acceptance suite judged against the ledger.
#   1. install what is missing (scripts/install.sh)
#   2. type-check (tsc --noEmit), type-aware lint (eslint with typescript-eslint, eslint.config.mjs)
#      and Gherkin lint (gherkin-lint, .gherkin-lintrc)
#   3. Docker mode's files checked offline (scripts/lint-docker.sh: dclint, compose config, hadolint)
#   4. our own tests (node --test): support code, the world objects against the real services,
#      Docker mode without an engine, sharding
#   5. the acceptance suite, with npm run acceptance's number of workers and in random
#      order, judged by the ledger
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# SUITE_NODE=22|24 runs on that Node (scripts/suite-node.sh).
. scripts/suite-node.sh
suite_node "$ROOT" || exit $?

bash scripts/install.sh
echo "[test] type-check"
node_modules/.bin/tsc --noEmit -p .
echo "[test] type-aware lint (eslint)"
node_modules/.bin/eslint --max-warnings 0 .
echo "[test] Gherkin lint"
node_modules/.bin/gherkin-lint -c .gherkin-lintrc -r lint/gherkin-rules features
echo "[test] Docker files (offline)"
bash scripts/lint-docker.sh
echo "[test] own tests (node --test)"
node --import ./test/register.mjs --test test/*.test.ts
echo "[test] acceptance suite (npm run acceptance's workers, --order random)"
ACCEPTANCE_SKIP_INSTALL=1 bash scripts/acceptance.sh --order random
