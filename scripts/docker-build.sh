#!/usr/bin/env bash
# npm run docker:build: makes every image docker-compose.yml names, under that exact
# name, ahead of a run. Optional where a registry answers (the docker provider pulls
# and builds what is missing itself, inside the BeforeAll hook of every worker); needed
# where none does (docs/docker.md). CI runs it once per job.
#
# For each upstream image (debian:bookworm-slim, python:3.11-slim-bookworm, Mailpit,
# MinIO, mc, postgres:15-bookworm):
#   - present already: kept (a stand-in built here is kept only if its build key,
#     label gmp-acceptance.build-key, matches what this script would build now);
#   - otherwise pulled, with a timeout of GMP_PULL_TIMEOUT seconds (default 20);
#   - if the pull fails (no registry answers), a stand-in is built here under the
#     same name, from Debian's packages and the local stack's go builds:
#       debian:bookworm-slim       debootstrap --variant=minbase bookworm from the
#                                  host's Debian mirror, then docker import
#       python:3.11-slim-bookworm  Debian's python3 (3.11) in a venv on PATH, with the
#                                  host's CA bundle (pip and Python use it)
#       axllent/mailpit:<v>        the go install build of versions.json mailpit
#       quay.io/minio/minio:<tag>  the go install build of versions.json minio (the local
#                                  stack's commit, NOT the RELEASE tag of the name) + curl
#       quay.io/minio/mc:<tag>     go install of versions.json docker.local_build.mc
#       postgres:15-bookworm       Debian's postgresql-15, docker/postgres/docker-entrypoint.sh
#     Each carries labels saying how and from what it was built.
# Then `docker compose build imap proxy` (our Dockerfiles, the legacy builder when the
# engine has no BuildKit/buildx), and the release's own image, gmp-acceptance/release:<v>,
# built from the Dockerfile of the release's sdist as its docs/installation.rst says
# (`docker build -t genro-mail-proxy .`). Its base (FROM) is pulled, or, where no registry
# answers, is the Python stand-in above under that name too.
#
#   GMP_DOCKER_PULL=never   build the stand-ins without trying a registry
#   GMP_PULL_TIMEOUT=20     seconds a pull may take before it counts as failed
#   GMP_DEBIAN_MIRROR=URL   the mirror for debootstrap (default: the host's apt sources)
#
# The engine: DOCKER_HOST as set, else the one `bash scripts/docker-engine.sh start`
# wrote to .stack/docker/env.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STACK="$ROOT/.stack"
BUILD="$STACK/docker/build"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$(( $(ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
T_ALL=$(ms)
step_start() { STEP_NAME=$1; STEP_T=$(ms); }
step_done() { echo "[docker:build] $STEP_NAME: $1 ($(secs "$STEP_T"))"; }
note() { echo "[docker:build]   $*"; }
die() { echo "[docker:build] ERROR: $*" >&2; exit 1; }
v() { node -e "const v=require('./versions.json'); console.log($1)"; }
# A release the suite does not run is refused before anything is pulled or built.
if [ -n "${SUT_VERSION:-}" ]; then
  SUPPORTED=$(v "v.sut.supported.join(', ')")
  case ", $SUPPORTED, " in
    *", $SUT_VERSION, "*) ;;
    *) die "SUT_VERSION=$SUT_VERSION is not a release this suite runs; it runs $(v "v.sut.package") $SUPPORTED (versions.json, sut.supported; see docs/stack.md, 'Another version of the SUT')" ;;
  esac
fi

if [ -z "${DOCKER_HOST:-}" ] && [ -f "$STACK/docker/env" ]; then
  # shellcheck disable=SC1091
  . "$STACK/docker/env"
fi
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}. Start one: bash scripts/docker-engine.sh start (docs/docker.md)"
docker compose version >/dev/null 2>&1 || {
  die "Docker Compose v2 is needed: \`docker compose version\` must answer (docker-compose-plugin, Docker Desktop, or bash scripts/docker-engine.sh start)"
}
# Without the buildx plugin (Debian's docker.io has none), `docker build` of this
# CLI refuses BuildKit: the stand-ins are built with the legacy builder. `docker
# compose build` uses the engine's own BuildKit either way, as the docker provider's
# `compose up --build` does, so that the provider finds these layers in its cache.
LEGACY=()
if ! docker buildx version >/dev/null 2>&1; then LEGACY=(env DOCKER_BUILDKIT=0); fi

# Building and pulling need no secret; compose insists the variables are set.
export GMP_PROXY_TOKEN=build GMP_IMAP_PASSWORD=build GMP_S3_ACCESS_KEY=build GMP_S3_SECRET_KEY=build GMP_PROXY_FILES=/nonexistent/build GMP_PROXY_WRITTEN=/nonexistent/build-written
SUT_VERSION=${SUT_VERSION:-$(v "v.sut.version")}
export SUT_VERSION
PULL=${GMP_DOCKER_PULL:-try}
PULL_TIMEOUT=${GMP_PULL_TIMEOUT:-20}

IMG_DEBIAN=$(v "v.docker.imap_base")
IMG_PYTHON=$(v "v.docker.proxy_base")
IMG_MAILPIT=$(v "v.docker.mailpit")
IMG_MINIO=$(v "v.docker.minio")
IMG_MC=$(v "v.docker.mc")
IMG_POSTGRES=$(v "v.docker.postgres")

label() { # image key
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null | sed 's/^<no value>$//'
}
image_id() { docker image inspect -f '{{.Id}}' "$1"; }
key_of() { sha256sum | cut -c1-16; }

# A registry that failed once is not asked again in this run.
declare -A REGISTRY_DOWN=()
registry_of() { # image
  local first=${1%%/*}
  if [ "$first" != "$1" ] && [[ $first == *.* || $first == *:* ]]; then echo "$first"; else echo docker.io; fi
}

# ensure IMAGE WANT_KEY BUILD_FUNCTION: keep, pull, or build IMAGE (see the header).
ensure() {
  local image=$1 want=$2 build=$3 have registry old=""
  step_start "$image"
  if docker image inspect "$image" >/dev/null 2>&1; then
    old=$(image_id "$image")
    have=$(label "$image" gmp-acceptance.build-key)
    if [ -z "$have" ]; then step_done "present (not built here: pulled or loaded)"; return; fi
    if [ "$have" = "$want" ]; then step_done "present, built here ($(label "$image" gmp-acceptance.built-from))"; return; fi
    note "$image was built here from other inputs (build key $have, now $want): making it again"
  fi
  registry=$(registry_of "$image")
  if [ "$PULL" != never ] && [ -z "${REGISTRY_DOWN[$registry]:-}" ]; then
    local t; t=$(ms)
    if timeout "$PULL_TIMEOUT" docker pull -q "$image" >/dev/null 2>"$BUILD/pull.err"; then
      step_done "pulled from $registry"
      return
    fi
    REGISTRY_DOWN[$registry]=1
    note "pull from $registry failed after $(secs "$t") (timeout ${PULL_TIMEOUT}s): $(tail -n 1 "$BUILD/pull.err" | cut -c1-110)"
    note "building a stand-in; $registry is not asked again in this run"
  fi
  "$build" "$image" "$want"
  [ "$(label "$image" gmp-acceptance.build-key)" = "$want" ] || die "$image was built but does not carry build key $want"
  # The stand-in it replaces, unless something still uses it.
  if [ -n "$old" ] && [ "$old" != "$(image_id "$image")" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
  step_done "built here ($(label "$image" gmp-acceptance.built-from))"
}

# docker build with our labels: build_image IMAGE KEY CONTEXT BUILT_FROM DESCRIPTION VERSION
build_image() {
  local image=$1 key=$2 context=$3 from=$4 description=$5 version=$6
  "${LEGACY[@]}" docker build -q --pull=false -t "$image" \
    --label "org.opencontainers.image.description=$description" \
    --label "org.opencontainers.image.version=$version" \
    --label "gmp-acceptance.built-from=$from" \
    --label "gmp-acceptance.built-by=scripts/docker-build.sh (no registry answered)" \
    --label "gmp-acceptance.build-key=$key" \
    "$context" >/dev/null 2>"$context.err" \
    || die "docker build of $image failed:$(echo; tail -n 20 "$context.err")"
}

# The same go install as scripts/install.sh (same GOBIN, same .version stamp), so
# either script finds the other's build.
go_bin() { # name module version
  local name=$1 module=$2 version=$3 bin="$STACK/bin/$1" t
  if [ -x "$bin" ] && [ "$(cat "$bin.version" 2>/dev/null)" = "$module@$version" ]; then return; fi
  command -v go >/dev/null || die "go is needed to build $name (https://go.dev/dl)"
  t=$(ms)
  mkdir -p "$STACK/bin"
  GOBIN="$STACK/bin" GOFLAGS=-buildvcs=false go install "$module@$version" || die "go install $module@$version failed"
  echo "$module@$version" > "$bin.version"
  note "go install $module@$version ($(secs "$t"))"
}

# A context directory holding a Dockerfile (stdin) and the given files.
context() { # dir file...
  local dir=$1; shift
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/Dockerfile"
  local f
  for f in "$@"; do ln -f "$f" "$dir/" 2>/dev/null || cp "$f" "$dir/"; done
}

# ------------------------------------------------------------ debian:bookworm-slim
debian_mirror() {
  if [ -n "${GMP_DEBIAN_MIRROR:-}" ]; then echo "$GMP_DEBIAN_MIRROR"; return; fi
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
DEBIAN_RECIPE="debootstrap --variant=minbase bookworm $(debian_mirror); apt sources of the host; recipe 1"

build_debian() { # image key
  local image=$1 key=$2 rootfs="$BUILD/rootfs" mirror t
  mirror=$(debian_mirror)
  if ! command -v debootstrap >/dev/null; then
    [ "$(id -u)" = 0 ] || die "debootstrap is missing: apt-get install debootstrap (as root)"
    t=$(ms)
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends debootstrap >/dev/null
    note "installed Debian debootstrap ($(secs "$t"))"
  fi
  rm -rf "$rootfs"
  t=$(ms)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$BUILD/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $BUILD/debootstrap.log"
  note "debootstrap --variant=minbase bookworm $mirror ($(secs "$t"))"
  # The host's apt sources (its mirror, with bookworm-updates and -security), as the
  # image's; debootstrap wrote bookworm only.
  if [ -f /etc/apt/sources.list.d/debian.sources ] && [ -z "${GMP_DEBIAN_MIRROR:-}" ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  local version; version=$(cat "$rootfs/etc/debian_version")
  t=$(ms)
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["bash"]' \
    --change "LABEL org.opencontainers.image.description=\"Debian $version minbase, a stand-in for $image\"" \
    --change "LABEL org.opencontainers.image.version=\"$version\"" \
    --change "LABEL gmp-acceptance.built-from=\"debootstrap --variant=minbase bookworm from $mirror, then docker import\"" \
    --change "LABEL gmp-acceptance.built-by=\"scripts/docker-build.sh (no registry answered)\"" \
    --change "LABEL gmp-acceptance.build-key=\"$key\"" \
    - "$image" >/dev/null
  note "docker import ($(secs "$t"))"
  rm -rf "$rootfs"
}

# ------------------------------------------------------------ python:3.11-slim-bookworm
# The host's CA bundle, and its own local CAs (/usr/local/share/ca-certificates), so
# that a later update-ca-certificates in an image keeps them.
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LOCAL_CAS=(/usr/local/share/ca-certificates/*.crt)
[ -e "${LOCAL_CAS[0]}" ] || LOCAL_CAS=()
python_dockerfile() {
  cat <<EOF
# A stand-in for $IMG_PYTHON: Debian bookworm's python3 (3.11), in a venv first on
# PATH (python, python3, pip; Debian's own pip refuses system-wide installs), and the
# host's CA bundle, so that pip and Python trust what the host trusts.
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv \\
 && rm -rf /var/lib/apt/lists/* \\
 && python3 -m venv /usr/local/python
# After apt: the postinst of ca-certificates rebuilds the bundle from its own list.
EOF
  if [ ${#LOCAL_CAS[@]} -gt 0 ]; then echo "COPY local-ca/ /usr/local/share/ca-certificates/"; fi
  cat <<EOF
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PATH=/usr/local/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    LANG=C.UTF-8 \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
EOF
}
python_key() { { python_dockerfile; image_id "$IMG_DEBIAN"; cat "$CA_BUNDLE" "${LOCAL_CAS[@]}" | sha256sum; } | key_of; }
build_python() { # image key
  [ -f "$CA_BUNDLE" ] || die "no $CA_BUNDLE on this machine"
  python_dockerfile | context "$BUILD/python" "$CA_BUNDLE"
  if [ ${#LOCAL_CAS[@]} -gt 0 ]; then mkdir -p "$BUILD/python/local-ca"; cp "${LOCAL_CAS[@]}" "$BUILD/python/local-ca/"; fi
  build_image "$1" "$2" "$BUILD/python" \
    "Debian bookworm python3 + python3-venv on $IMG_DEBIAN, venv /usr/local/python, the host's CA bundle (sha256:$(sha256sum < "$CA_BUNDLE" | cut -c1-12)) and ${#LOCAL_CAS[@]} local CA file(s)" \
    "Python 3.11 from Debian bookworm, a stand-in for $1" "3.11"
  local got
  got=$(docker run --rm "$1" python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  [ "$got" = 3.11 ] || die "$1 has Python $got, not 3.11"
  docker run --rm -i "$1" cmp -s /etc/ssl/certs/ca-certificates.crt - < "$CA_BUNDLE" \
    || die "$1 does not hold the host's CA bundle"
}

# ------------------------------------------------------------ Mailpit, MinIO, mc
MAILPIT_MODULE=$(v "v.mailpit.module"); MAILPIT_VERSION=$(v "v.mailpit.version")
MINIO_MODULE=$(v "v.minio.module"); MINIO_VERSION=$(v "v.minio.version")
MC_MODULE=$(v "v.docker.local_build.mc.module"); MC_VERSION=$(v "v.docker.local_build.mc.version")
MC_RELEASE=$(v "v.docker.local_build.mc.release")

mailpit_dockerfile() {
  cat <<EOF
# A stand-in for $IMG_MAILPIT: the local stack's go build of Mailpit on Debian.
FROM $IMG_DEBIAN
COPY mailpit /mailpit
EXPOSE 1025 8025
HEALTHCHECK --interval=15s --start-period=10s CMD ["/mailpit", "readyz"]
ENTRYPOINT ["/mailpit"]
EOF
}
mailpit_key() { { mailpit_dockerfile; image_id "$IMG_DEBIAN"; echo "$MAILPIT_MODULE@$MAILPIT_VERSION"; } | key_of; }
build_mailpit() {
  go_bin mailpit "$MAILPIT_MODULE" "$MAILPIT_VERSION"
  mailpit_dockerfile | context "$BUILD/mailpit" "$STACK/bin/mailpit"
  build_image "$1" "$2" "$BUILD/mailpit" \
    "go install $MAILPIT_MODULE@$MAILPIT_VERSION (the local stack's build) on $IMG_DEBIAN" \
    "Mailpit $MAILPIT_VERSION built from source, a stand-in for $1" "$MAILPIT_VERSION"
}

minio_dockerfile() {
  cat <<EOF
# A stand-in for $IMG_MINIO: the local stack's go build of MinIO
# ($MINIO_VERSION), NOT that release, on Debian with curl for the health check.
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
COPY minio /usr/bin/minio
EXPOSE 9000
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/minio"]
CMD ["server", "/data"]
EOF
}
minio_key() { { minio_dockerfile; image_id "$IMG_DEBIAN"; echo "$MINIO_MODULE@$MINIO_VERSION"; } | key_of; }
build_minio() {
  go_bin minio "$MINIO_MODULE" "$MINIO_VERSION"
  minio_dockerfile | context "$BUILD/minio" "$STACK/bin/minio"
  build_image "$1" "$2" "$BUILD/minio" \
    "go install $MINIO_MODULE@$MINIO_VERSION (the local stack's build: $(v "v.minio.release")) on $IMG_DEBIAN + Debian curl; NOT ${1##*:}, the tag this image is named after" \
    "MinIO $MINIO_VERSION built from source under the name of ${1##*:}, which it is not" "$MINIO_VERSION"
}

mc_dockerfile() {
  cat <<EOF
# A stand-in for $IMG_MC: a go build of mc $MC_VERSION on Debian.
FROM $IMG_DEBIAN
COPY mc /usr/bin/mc
ENTRYPOINT ["mc"]
EOF
}
mc_key() { { mc_dockerfile; image_id "$IMG_DEBIAN"; echo "$MC_MODULE@$MC_VERSION"; } | key_of; }
build_mc() {
  go_bin mc "$MC_MODULE" "$MC_VERSION"
  mc_dockerfile | context "$BUILD/mc" "$STACK/bin/mc"
  build_image "$1" "$2" "$BUILD/mc" \
    "go install $MC_MODULE@$MC_VERSION ($MC_RELEASE) on $IMG_DEBIAN; NOT ${1##*:}, the tag this image is named after" \
    "mc $MC_VERSION built from source under the name of ${1##*:}, which it is not" "$MC_VERSION"
}

# ------------------------------------------------------------ postgres:15-bookworm
PG_MAJOR=$(v "v.debian.postgresql")
postgres_dockerfile() {
  cat <<EOF
# A stand-in for $IMG_POSTGRES: Debian bookworm's postgresql-$PG_MAJOR, with an
# entrypoint that initialises an empty data directory (docker-entrypoint.sh).
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends postgresql-common \\
 && sed -ri 's/^#?\\s*create_main_cluster\\b.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \\
 && apt-get install -y --no-install-recommends postgresql-$PG_MAJOR \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \\
 && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data \\
    LANG=C.UTF-8
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
EOF
}
postgres_key() { { postgres_dockerfile; cat docker/postgres/docker-entrypoint.sh; image_id "$IMG_DEBIAN"; } | key_of; }
build_postgres() {
  postgres_dockerfile | context "$BUILD/postgres" docker/postgres/docker-entrypoint.sh
  build_image "$1" "$2" "$BUILD/postgres" \
    "Debian bookworm postgresql-$PG_MAJOR on $IMG_DEBIAN, entrypoint docker/postgres/docker-entrypoint.sh (initdb, POSTGRES_HOST_AUTH_METHOD, listen on all addresses)" \
    "PostgreSQL $PG_MAJOR from Debian bookworm, a stand-in for $1" \
    "$PG_MAJOR"
}

# ------------------------------------------------------------ the steps
mkdir -p "$BUILD"
echo "[docker:build] engine $(docker version --format '{{.Server.Version}}') at ${DOCKER_HOST:-the default socket}, $(docker compose version)${LEGACY[*]:+, stand-ins with the legacy builder}"
ensure "$IMG_DEBIAN" "$(echo "$DEBIAN_RECIPE" | key_of)" build_debian
ensure "$IMG_PYTHON" "$(python_key)" build_python
ensure "$IMG_MAILPIT" "$(mailpit_key)" build_mailpit
ensure "$IMG_MINIO" "$(minio_key)" build_minio
ensure "$IMG_MC" "$(mc_key)" build_mc
ensure "$IMG_POSTGRES" "$(postgres_key)" build_postgres

step_start "imap and proxy (docker compose build, genro-mail-proxy $SUT_VERSION)"
docker compose -f docker-compose.yml build imap proxy > "$BUILD/compose-build.log" 2>&1 \
  || die "docker compose build imap proxy failed; the end of $BUILD/compose-build.log:$(echo; tail -n 25 "$BUILD/compose-build.log")"
step_done "built ($(docker image inspect -f '{{.Id}}' gmp-acceptance/imap:dovecot-2.3.19 | cut -c8-19), $(docker image inspect -f '{{.Id}}' "gmp-acceptance/proxy:$SUT_VERSION" | cut -c8-19)); log in $BUILD/compose-build.log"
# ------------------------------------------------------------ the release's own image
# For features/installation.feature: what a user gets from `docker build` in the
# release's sdist. Its FROM is taken from that Dockerfile.
step_start "the release's own image (its Dockerfile, genro-mail-proxy $SUT_VERSION)"
REL="$BUILD/release-$SUT_VERSION"
if [ ! -f "$REL/source/Dockerfile" ]; then
  rm -rf "$REL"; mkdir -p "$REL/dl" "$REL/source"
  python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary "$(v "v.sut.package")" -d "$REL/dl" "$(v "v.sut.package")==$SUT_VERSION" \
    || die "could not download the sdist of $(v "v.sut.package")==$SUT_VERSION"
  tar -xzf "$REL"/dl/*.tar.gz -C "$REL/source" --strip-components=1
  [ -f "$REL/source/Dockerfile" ] || die "the sdist of $SUT_VERSION has no Dockerfile"
fi
REL_BASE=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$REL/source/Dockerfile")
if ! docker image inspect "$REL_BASE" >/dev/null 2>&1; then
  if [ "$PULL" != never ] && [ -z "${REGISTRY_DOWN[$(registry_of "$REL_BASE")]:-}" ] && timeout "$PULL_TIMEOUT" docker pull -q "$REL_BASE" >/dev/null 2>&1; then
    note "$REL_BASE pulled"
  else
    docker tag "$IMG_PYTHON" "$REL_BASE"
    note "$REL_BASE is the Python stand-in $IMG_PYTHON under that name too (no registry answered)"
  fi
fi
"${LEGACY[@]}" docker build -q -t "gmp-acceptance/release:$SUT_VERSION" "$REL/source" > "$BUILD/release-build.log" 2>&1 \
  || die "docker build of the release's Dockerfile failed; the end of $BUILD/release-build.log:$(echo; tail -n 25 "$BUILD/release-build.log")"
step_done "built ($(docker image inspect -f '{{.Id}}' "gmp-acceptance/release:$SUT_VERSION" | cut -c8-19)) FROM $REL_BASE; log in $BUILD/release-build.log"
echo "[docker:build] done in $(secs "$T_ALL")"
