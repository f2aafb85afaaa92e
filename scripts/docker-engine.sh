#!/usr/bin/env bash
# A Docker engine and Compose v2 for Docker mode, on a machine that has neither
# (Debian, as root). Everything it makes lives in .stack/docker/ (git-ignored).
#
#   bash scripts/docker-engine.sh start    use the engine that answers, or start a private one
#   bash scripts/docker-engine.sh env      print the variables to export (eval "$(... env)")
#   bash scripts/docker-engine.sh status   which engine answers, and whose it is
#   bash scripts/docker-engine.sh stop     stop the private engine this script started
#
# start, in order, and idempotently:
#   1. An engine that already answers (at DOCKER_HOST, at our private socket, or at
#      the default socket) is used as it is: nothing is installed or started.
#   2. Otherwise Debian's docker.io is installed if dockerd is missing (apt-get update
#      first; a policy-rc.d keeps the package from starting a system daemon), and a
#      private dockerd is started on its own unix socket, with its own --data-root,
#      --exec-root and pidfile under .stack/docker/. Its PID is kept in
#      .stack/docker/dockerd.pid; `stop` stops that PID and nothing else.
#   3. If `docker compose version` does not answer with Compose v2, the plugin is built
#      from its Go module (versions.json docker.local_build.compose) and installed as
#      .stack/docker/config/cli-plugins/docker-compose, with DOCKER_CONFIG pointing
#      there. (`go install` refuses that module: its go.mod has exclude directives.)
#   4. .stack/docker/env is written: DOCKER_HOST, and DOCKER_CONFIG when the plugin is
#      ours. The suite reads it when DOCKER_HOST is unset (support/stack/docker-engine.ts).
# Each step prints one line with its duration.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DIR="$ROOT/.stack/docker"
ENV_FILE="$DIR/env"
PID_FILE="$DIR/dockerd.pid"
LOG_FILE="$DIR/dockerd.log"
CONFIG_DIR="$DIR/config"
PLUGIN="$CONFIG_DIR/cli-plugins/docker-compose"
DEFAULT_SOCKET=/var/run/docker.sock

# A unix socket path must stay under 108 bytes, and the engine puts containerd's
# sockets below its exec-root. Short repository paths keep both in .stack/docker/run;
# long ones move them to /tmp/gmp-docker-<hash of the repository path>.
RUN_DIR="$DIR/run"
if [ $(( ${#RUN_DIR} + 40 )) -gt 100 ]; then
  RUN_DIR="/tmp/gmp-docker-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)"
fi
SOCKET="$RUN_DIR/docker.sock"
PRIVATE_HOST="unix://$SOCKET"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$(( $(ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
step_start() { STEP_NAME=$1; STEP_T=$(ms); }
step_done() { echo "[docker:engine] $STEP_NAME: $1 ($(secs "$STEP_T"))"; }
die() { echo "[docker:engine] ERROR: $*" >&2; exit 1; }
v() { node -e "const v=require('./versions.json'); console.log($1)"; }

answers() { # DOCKER_HOST value
  DOCKER_HOST=$1 timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# The PID in our pidfile, if that process is alive and is the dockerd we started
# (its command line names our socket). Prints nothing otherwise.
our_pid() {
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$PRIVATE_HOST"; then echo "$pid"; fi
}

# Processes whose command line names our exec-root: the engine's own containerd and
# its shims. Identified by our path, never by a program name.
our_leftovers() {
  local p
  for p in /proc/[0-9]*; do
    [ -r "$p/cmdline" ] || continue
    if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "$RUN_DIR/exec"; then echo "${p#/proc/}"; fi
  done
}

apt_install() { # package...
  [ "$(id -u)" = 0 ] || die "missing Debian package(s): $*. Install them as root: sudo apt-get install -y --no-install-recommends $*"
  command -v apt-get >/dev/null || die "no apt-get: this script installs Docker on Debian only; install a Docker engine yourself"
  apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
  local prc=/usr/sbin/policy-rc.d created=0
  if [ ! -e $prc ]; then printf '#!/bin/sh\nexit 101\n' > $prc; chmod +x $prc; created=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@" >/dev/null
  if [ $created = 1 ]; then rm -f $prc; fi
}

# Which engine to use: prints its DOCKER_HOST and whether it is ours ("private" or "found").
find_engine() {
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$PRIVATE_HOST" ] && answers "$DOCKER_HOST"; then
    echo "$DOCKER_HOST found"
  elif [ -n "$(our_pid)" ] && answers "$PRIVATE_HOST"; then
    echo "$PRIVATE_HOST private"
  elif answers "unix://$DEFAULT_SOCKET"; then
    echo "unix://$DEFAULT_SOCKET found"
  fi
}

start_engine() {
  step_start "engine"
  local found host kind
  found=$(find_engine)
  if [ -n "$found" ]; then
    read -r host kind <<<"$found"
    ENGINE_HOST=$host ENGINE_KIND=$kind
    step_done "$( [ "$kind" = private ] && echo "our private engine (PID $(our_pid))" || echo "an engine already answers") at $host, Docker $(DOCKER_HOST=$host docker version --format '{{.Server.Version}}')"
    return
  fi
  if ! command -v dockerd >/dev/null; then
    apt_install docker.io
    command -v dockerd >/dev/null || die "docker.io was installed but there is no dockerd"
    echo "[docker:engine] installed Debian docker.io $(dpkg-query -W -f '${Version}' docker.io) ($(secs "$STEP_T"))"
  fi
  [ "$(id -u)" = 0 ] || die "no Docker engine answers, and a private dockerd needs root"
  command -v docker >/dev/null || die "no docker client on PATH"
  # A stale pidfile or socket of an engine that is gone.
  [ -z "$(our_pid)" ] || die "dockerd $(our_pid) of this repository runs but does not answer at $PRIVATE_HOST; see $LOG_FILE, or stop it: bash scripts/docker-engine.sh stop"
  rm -f "$PID_FILE" "$SOCKET"
  mkdir -p "$DIR/data" "$RUN_DIR/exec"
  local others
  others=$(pgrep -a dockerd || true)
  [ -z "$others" ] || echo "[docker:engine] note: another dockerd runs on this machine (it shares the docker0 bridge and iptables): $others"
  # setsid: the engine outlives this script and its terminal; `stop` ends it.
  setsid dockerd \
    -H "$PRIVATE_HOST" \
    --data-root "$DIR/data" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$PID_FILE" \
    >>"$LOG_FILE" 2>&1 </dev/null &
  local launched=$!
  for _ in $(seq 1 120); do
    if answers "$PRIVATE_HOST"; then break; fi
    kill -0 "$launched" 2>/dev/null || die "dockerd exited at start; the end of $LOG_FILE:$(echo; tail -n 15 "$LOG_FILE")"
    sleep 0.25
  done
  answers "$PRIVATE_HOST" || die "dockerd (PID $launched) does not answer at $PRIVATE_HOST after 30 s; see $LOG_FILE"
  ENGINE_HOST=$PRIVATE_HOST ENGINE_KIND=private
  step_done "started a private dockerd $(DOCKER_HOST=$PRIVATE_HOST docker version --format '{{.Server.Version}}') (PID $(cat "$PID_FILE")) at $PRIVATE_HOST, data in $DIR/data"
}

compose_version() { # prints the Compose version the CLI finds, or nothing
  docker compose version --short 2>/dev/null | sed 's/^v//' || true
}

ensure_compose() {
  local module version want
  module=$(v "v.docker.local_build.compose.module")
  version=$(v "v.docker.local_build.compose.version")
  want=${version#v}
  step_start "Compose v2"
  local theirs
  theirs=$(env -u DOCKER_CONFIG docker compose version --short 2>/dev/null | sed 's/^v//' || true)
  if [ -n "$theirs" ] && [ "${theirs%%.*}" -ge 2 ] 2>/dev/null; then
    COMPOSE_OURS=0
    step_done "the installed plugin answers ($theirs)"
    return
  fi
  COMPOSE_OURS=1
  export DOCKER_CONFIG="$CONFIG_DIR"
  if [ -x "$PLUGIN" ] && [ "$(compose_version)" = "$want" ]; then
    step_done "present ($want, $PLUGIN)"
    return
  fi
  command -v go >/dev/null || die "go is needed to build the Compose plugin (https://go.dev/dl); or install Docker's docker-compose-plugin"
  local src
  src=$(go mod download -json "$module@$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s); if(j.Error){console.error(j.Error);process.exit(1)} console.log(j.Dir)})') \
    || die "go mod download $module@$version failed"
  mkdir -p "$(dirname "$PLUGIN")"
  # The module cache is read-only; go build writes only the output file. The version
  # variable is the one Compose's own Makefile sets.
  (cd "$src" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
      -o "$PLUGIN.tmp" ./cmd) || die "go build of $module@$version failed"
  mv "$PLUGIN.tmp" "$PLUGIN"
  [ "$(compose_version)" = "$want" ] || die "the built plugin reports '$(compose_version)', not $want"
  step_done "built $module@$version into $PLUGIN"
}

write_env() {
  mkdir -p "$DIR"
  {
    echo "# Written by scripts/docker-engine.sh start; load it with: eval \"\$(bash scripts/docker-engine.sh env)\""
    echo "export DOCKER_HOST=$ENGINE_HOST"
    if [ "$COMPOSE_OURS" = 1 ]; then echo "export DOCKER_CONFIG=$CONFIG_DIR"; fi
    # Nothing for testcontainers: the suite works out the host of published ports
    # (TESTCONTAINERS_HOST_OVERRIDE) and whether Ryuk can be had by itself
    # (support/stack/docker-engine.ts).
  } > "$ENV_FILE"
}

cmd_start() {
  local t0; t0=$(ms)
  command -v node >/dev/null || die "node is needed (it reads versions.json)"
  start_engine
  export DOCKER_HOST=$ENGINE_HOST
  ensure_compose
  write_env
  echo "[docker:engine] ready in $(secs "$t0"); load the variables with: eval \"\$(bash scripts/docker-engine.sh env)\""
  sed -n 's/^export /  /p' "$ENV_FILE"
}

cmd_env() {
  [ -f "$ENV_FILE" ] || die "no $ENV_FILE: run \`bash scripts/docker-engine.sh start\` first"
  grep '^export ' "$ENV_FILE"
}

cmd_status() {
  local found pid
  found=$(find_engine)
  pid=$(our_pid)
  if [ -n "$found" ]; then echo "[docker:engine] answers: $found"; else echo "[docker:engine] no engine answers"; fi
  if [ -n "$pid" ]; then echo "[docker:engine] our private dockerd: PID $pid at $PRIVATE_HOST"; else echo "[docker:engine] no private dockerd of this repository runs"; fi
}

cmd_stop() {
  step_start "stop"
  local pid left
  pid=$(our_pid)
  if [ -z "$pid" ]; then
    rm -f "$PID_FILE"
    left=$(our_leftovers)
    [ -z "$left" ] || die "no private dockerd runs, but processes under $RUN_DIR/exec remain: $left"
    step_done "no private dockerd of this repository runs; nothing to stop"
    return
  fi
  # dockerd stops its containers and its containerd on SIGTERM.
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -0 "$pid" 2>/dev/null && die "dockerd $pid is still running 30 s after SIGTERM; see $LOG_FILE"
  for _ in $(seq 1 40); do
    left=$(our_leftovers)
    [ -n "$left" ] || break
    sleep 0.25
  done
  [ -z "$left" ] || die "dockerd $pid stopped, but processes under $RUN_DIR/exec remain: $left"
  rm -f "$PID_FILE" "$SOCKET"
  step_done "stopped dockerd $pid; none of its processes remain"
}

case "${1:-}" in
  start) cmd_start ;;
  env) cmd_env ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) echo "usage: bash scripts/docker-engine.sh start|env|status|stop" >&2; exit 64 ;;
esac
