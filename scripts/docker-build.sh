#!/usr/bin/env bash
# npm run docker:build: builds Docker mode's two images (docker/imap, docker/proxy)
# and pulls the others, ahead of a run. Optional: the docker provider builds and pulls
# what is missing itself, but then inside the BeforeAll hook of every worker. CI runs
# this once per job.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
docker compose version >/dev/null 2>&1 || {
  echo "[docker:build] Docker Compose v2 is needed: \`docker compose version\` must answer (docker-compose-plugin, or Docker Desktop)" >&2
  exit 1
}
# Building and pulling need no secret; compose insists the variables are set.
export GMP_PROXY_TOKEN=build GMP_IMAP_PASSWORD=build GMP_S3_ACCESS_KEY=build GMP_S3_SECRET_KEY=build
SUT_VERSION=${SUT_VERSION:-$(node -e "console.log(require('./versions.json').sut.version)")}
export SUT_VERSION
echo "[docker:build] pulling mailpit, minio, minio-setup (mc), postgres"
docker compose -f docker-compose.yml --profile db pull mailpit minio minio-setup postgres
echo "[docker:build] building imap and proxy (genro-mail-proxy $SUT_VERSION)"
docker compose -f docker-compose.yml build imap proxy
echo "[docker:build] done"
