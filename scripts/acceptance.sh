#!/usr/bin/env bash
# npm run acceptance [-- <cucumber-js arguments>]
#
# 1. installs whatever the local stack is missing (with STACK=external or docker,
#    only the npm packages),
# 2. runs Cucumber with the given arguments (default profile: every scenario). The run
#    writes into a folder of its own, reports/runs/<run id>/, judges itself against the
#    known-defect ledger (known-defects.yaml) and ends with the two verdict lines
#    (support/reporting/run-report.mjs, a Cucumber plugin: plain `npx cucumber-js` does
#    the same),
# 3. if Cucumber stopped before the run could say why (an unknown profile, a bad option,
#    Ctrl-C), writes "no verdict" and the reason into the run's folder, which
#    reports/latest then points at.
#
# The run's folder comes first, before the install: whatever fails from then on (the
# install, an option, the stack), reports/latest, verdict.json, the JUnit file and the
# page say "no verdict" for this run, never an earlier run's verdict.
# Exit code: Cucumber's, which is 0 only with no failure, no unexpected pass and no
# changed failure; 1 for a run without a verdict (a failed install too); 130 when
# interrupted.
#
# npm run acceptance -- --cleanup runs nothing: it stops what killed runs of the local
# stack left (their services and /tmp/gmp-stack-* folders, never a live run's) and says
# so in one line (tools/cleanup.ts; every run does the same when it starts).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "$*" = --cleanup ]; then
  # Not a run: no run folder, no verdict.
  . scripts/suite-node.sh
  suite_node "$ROOT" || exit $?
  exec node --import ./test/register.mjs tools/cleanup.ts
fi

# The run's folder. A run that cannot write its reports is not run: it could only be
# judged on an earlier run's files.
REPORTS=${ACCEPTANCE_REPORTS_DIR:-reports}
export ACCEPTANCE_RUN_ID=${ACCEPTANCE_RUN_ID:-$(date +%Y%m%d-%H%M%S)-$$}
RUN_DIR="$REPORTS/runs/$ACCEPTANCE_RUN_ID"
if ! WHY=$( { mkdir -p "$RUN_DIR" && : > "$RUN_DIR/cucumber-stderr.log"; } 2>&1); then
  echo "acceptance: no verdict: cannot write this run's reports in $RUN_DIR: ${WHY:-not writable}" >&2
  echo "Make $REPORTS/ writable, or set ACCEPTANCE_REPORTS_DIR to a writable folder." >&2
  exit 1
fi
node support/reporting/run-folder.mjs open "$RUN_DIR" "npm run acceptance${*:+ -- $*}" || exit 1

# SUITE_NODE=22|24 runs on that Node (scripts/suite-node.sh). Its errors are shown, and
# kept in the run's install.log for its "no verdict".
. scripts/suite-node.sh
suite_node "$ROOT" 2> "$RUN_DIR/install.log"
NODE_RC=$?
cat "$RUN_DIR/install.log" >&2
if [ "$NODE_RC" != 0 ]; then
  node support/reporting/run-folder.mjs conclude "$RUN_DIR" "$NODE_RC" install
  exit "$NODE_RC"
fi

if [ "${ACCEPTANCE_SKIP_INSTALL:-}" != 1 ]; then
  # The install's output goes to the terminal and into the run's folder (install.log);
  # if it fails, the run ends here with "no verdict" and the install's error.
  # Ctrl-C stops the install (its whole process group gets it); this script then concludes.
  INTERRUPTED=0
  trap 'INTERRUPTED=1' INT TERM
  INSTALL_RC=0
  case "${STACK:-}" in
    external|docker)
      # No local stack is needed, only the npm packages.
      if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error 2>&1 | tee -a "$RUN_DIR/install.log"
        INSTALL_RC=${PIPESTATUS[0]}
      fi
      ;;
    *)
      INSTALL_SCOPE=${INSTALL_SCOPE:-acceptance} bash scripts/install.sh 2>&1 | tee -a "$RUN_DIR/install.log"
      INSTALL_RC=${PIPESTATUS[0]}
      ;;
  esac
  trap - INT TERM
  if [ "$INTERRUPTED" = 1 ]; then
    node support/reporting/run-folder.mjs conclude "$RUN_DIR" 130 interrupted
    exit 130
  fi
  if [ "$INSTALL_RC" != 0 ]; then
    node support/reporting/run-folder.mjs conclude "$RUN_DIR" "$INSTALL_RC" install
    exit "$INSTALL_RC"
  fi
fi

# Cucumber's error output goes to the terminal and into the run's folder.
exec 4> >(tee "$RUN_DIR/cucumber-stderr.log" >&2)
TEE=$!
# Workers: the scenarios mostly wait on the proxy, so more workers than cores pay off
# (docs/performance.md). Unless the arguments choose (--parallel, or a profile), a run on
# the local stack has ACCEPTANCE_WORKERS workers (8), and a Docker run 6: each Docker
# worker brings up a compose project of its own (docs/performance.md, "Docker mode").
WORKERS=()
case " $* " in
  *" --parallel"*|*" -p "*|*" --profile"*) ;;
  *) if [ "${STACK:-}" = docker ]; then WORKERS=(--parallel "${ACCEPTANCE_WORKERS:-6}"); else WORKERS=(--parallel "${ACCEPTANCE_WORKERS:-8}"); fi ;;
esac
# Cucumber runs in the background so that a TERM or INT sent to this script reaches it
# (its hooks then stop the stack) before the run is concluded.
node_modules/.bin/cucumber-js "${WORKERS[@]}" "$@" 2>&4 &
CUCUMBER=$!
conclude() { # exit code [interrupted]
  exec 4>&-
  for _ in $(seq 50); do kill -0 "$TEE" 2>/dev/null || break; sleep 0.1; done
  node support/reporting/run-folder.mjs conclude "$RUN_DIR" "$@"
}
trap 'kill -INT $CUCUMBER 2>/dev/null; wait $CUCUMBER; conclude 130 interrupted; exit 130' INT
trap 'kill -TERM $CUCUMBER 2>/dev/null; wait $CUCUMBER; conclude 143 interrupted; exit 143' TERM
wait $CUCUMBER
CUCUMBER_RC=$?
trap - INT TERM
conclude "$CUCUMBER_RC" || exit 1
exit "$CUCUMBER_RC"
