#!/usr/bin/env bash
# npm run test:docker [-- <cucumber-js arguments>]: the whole suite in Docker mode, in one command.
#
#   1. a Docker engine: the one that answers, or a private one (scripts/docker-engine.sh start)
#   2. the npm packages (npm ci, when package-lock.json is newer) and the images (npm run docker:build)
#   3. test/docker-leak.test.ts: no container, network or volume outlives a passing,
#      a failing, an interrupted or a killed run
#   4. the acceptance suite with STACK=docker (default arguments: --parallel 6), judged
#      against known-defects.yaml as `npm run acceptance` judges it
#   5. nothing of this run is left on the engine
#   6. the private engine is stopped if this script started it (also after a failure or Ctrl-C)
# It ends with the two verdict lines of step 4. Exit 0 only when every step passed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$(( $(ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
say() { echo "[test:docker] $*"; }
T0=$(ms)

# ------------------------------------------------------------------ 1. the engine
PID_FILE=.stack/docker/dockerd.pid
private_running() { local p; p=$(cat "$PID_FILE" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

STARTED_ENGINE=0
stop_engine() {
  if [ "$STARTED_ENGINE" = 1 ]; then
    STARTED_ENGINE=0
    bash scripts/docker-engine.sh stop
  fi
}
trap 'stop_engine' EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM

if [ -n "${DOCKER_HOST:-}" ] && engine_answers; then
  say "engine: DOCKER_HOST=$DOCKER_HOST answers"
else
  before=0; private_running && before=1
  bash scripts/docker-engine.sh start || exit $?
  if [ "$before" = 0 ] && private_running; then STARTED_ENGINE=1; fi
  eval "$(bash scripts/docker-engine.sh env)"
fi

# ------------------------------------------------------------------ 2. packages and images
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || exit $?
fi
t=$(ms)
bash scripts/docker-build.sh || exit $?
say "images ready ($(secs "$t"))"

# ------------------------------------------------------------------ 3. leaks
t=$(ms)
# The leak test, and the Docker parts of the own tests that npm test skips without an engine.
say "test/docker-leak.test.ts, and the Docker parts of test/controlled-clock.test.ts and test/proxy-written-dir.test.ts"
GMP_DOCKER_TESTS=1 node --import ./test/register.mjs --test test/docker-leak.test.ts
LEAK_RC=$?
# Only their Docker parts: their local parts need the local stack, which Docker mode lacks.
GMP_DOCKER_TESTS=1 node --import ./test/register.mjs --test --test-name-pattern='^docker stack: ' test/controlled-clock.test.ts test/proxy-written-dir.test.ts
PARTS_RC=$?
[ "$LEAK_RC" != 0 ] || LEAK_RC=$PARTS_RC
say "leak test and Docker parts exited with $LEAK_RC ($(secs "$t"))"

# ------------------------------------------------------------------ 4. the suite
# The run's id: this machine's tag and this script's PID (support/stack/docker-compose-model.ts
# runId), so that the projects are known as this run's, and a later run removes them if this
# one is killed.
export SUITE_DOCKER_RUN_ID
SUITE_DOCKER_RUN_ID="$(printf '%s' "$(hostname)" | sha1sum | cut -c1-4)p$$"
[ $# -gt 0 ] || set -- --parallel 6
t=$(ms)
LOG=$(mktemp)
STACK=docker ACCEPTANCE_SKIP_INSTALL=1 bash scripts/acceptance.sh "$@" 2>&1 | tee "$LOG"
SUITE_RC=${PIPESTATUS[0]}
say "acceptance suite in Docker mode: exit $SUITE_RC ($(secs "$t"))"

# ------------------------------------------------------------------ 5. leftovers
project_labels() {
  docker ps -a --format '{{.Label "com.docker.compose.project"}}'
  docker ps -a --format '{{.Label "org.genro-mail-proxy.acceptance.project"}}'
  docker network ls --format '{{.Label "com.docker.compose.project"}}'
  docker volume ls --format '{{.Label "com.docker.compose.project"}}'
}
LEFT=$(project_labels | grep "^gmp-$SUITE_DOCKER_RUN_ID-" | sort -u)
LEFT_RC=0
if [ -n "$LEFT" ]; then
  say "LEFT on the engine by this run: $(echo "$LEFT" | tr '\n' ' ')"
  LEFT_RC=1
else
  say "nothing of run $SUITE_DOCKER_RUN_ID is left on the engine (containers, networks, volumes)"
fi

# ------------------------------------------------------------------ 6. the engine, then the verdict
stop_engine
say "done in $(secs "$T0")"
grep -E '^(acceptance: |known defects: )' "$LOG" | tail -n 2
rm -f "$LOG"
if [ "$SUITE_RC" != 0 ]; then exit "$SUITE_RC"; fi
if [ "$LEAK_RC" != 0 ]; then exit "$LEAK_RC"; fi
exit "$LEFT_RC"
