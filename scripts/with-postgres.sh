#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL listening on 127.0.0.1 only.
# Installs the distribution's PostgreSQL when it is missing (Debian/Ubuntu, as root).
# The command sees TEST_DATABASE_URL (and DATABASE_URL unless already set).
set -euo pipefail

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

PGBIN="$(find_pg_bin)"
if [ -z "$PGBIN" ]; then
    echo "PostgreSQL is not installed; installing it from the distribution's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    PGBIN="$(find_pg_bin)"
fi

PORT="${PGPORT_TEST:-54329}"
DATA="$(mktemp -d /tmp/xunjian-pg.XXXXXX)"
# PostgreSQL refuses to run as root: use the postgres user when we are root.
AS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home "$DATA" postgres
    chown postgres "$DATA"
    AS=(runuser -u postgres --)
fi

cleanup() {
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DATA" -U xunjian --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=200" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U xunjian xunjian_test

export TEST_DATABASE_URL="postgresql://xunjian@127.0.0.1:$PORT/xunjian_test"
export DATABASE_URL="${DATABASE_URL:-$TEST_DATABASE_URL}"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
