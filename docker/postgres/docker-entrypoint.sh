#!/bin/bash
# Entrypoint of the postgres:15-bookworm stand-in that scripts/docker-build.sh builds
# from Debian's postgresql-15 when no registry answers. It does the part of the
# official image's entrypoint that the suite uses:
#   - as root: owns PGDATA and the socket directory to postgres, then runs itself
#     again as postgres;
#   - an empty PGDATA is initialised (initdb, user postgres, UTF-8), with
#     POSTGRES_HOST_AUTH_METHOD for connections over TCP (trust, or a method with
#     POSTGRES_PASSWORD), local connections trusted, listening on all addresses;
#   - then the given command runs (default `postgres`; `-c ...` alone means postgres -c ...).
# POSTGRES_USER and POSTGRES_DB other than postgres, and /docker-entrypoint-initdb.d,
# are not supported: it refuses rather than silently differ.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  for var in POSTGRES_USER POSTGRES_DB; do
    if [ -n "${!var:-}" ] && [ "${!var}" != postgres ]; then
      echo "docker-entrypoint.sh: $var=${!var} is not supported by this stand-in (only postgres)" >&2
      exit 64
    fi
  done
  method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  args=(-D "$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host="$method")
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    args+=(--pwfile="$pwfile")
  elif [ "$method" != trust ]; then
    echo "docker-entrypoint.sh: set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust" >&2
    exit 64
  fi
  initdb "${args[@]}" >/dev/null
  rm -f "${pwfile:-}"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all $method" >> "$PGDATA/pg_hba.conf"
  echo "docker-entrypoint.sh: initialised $PGDATA (TCP auth: $method)"
fi

exec "$@"
