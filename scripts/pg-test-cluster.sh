#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the Postgres store's tests (Debian's postgresql package).
#   start   new cluster in $PG_TEST_DIR, prints its connection string
#   kill    SIGKILL of the server (the postmaster and its backends), data kept
#   resume  starts the server again on the kept data
#   stop    stops it and removes the data
# The server refuses to run as root: as root it runs as the package's `postgres` user.
set -euo pipefail
cmd=${1:-start}
dir=${PG_TEST_DIR:-/tmp/kraken-sidecar-pg-test}
port=${PG_TEST_PORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "pg-test-cluster: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 3; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
server() { as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 20 -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off" "$@" >/dev/null; }
url="postgres://sidecar:pg-test-secret@127.0.0.1:$port/sidecar_test"

case "$cmd" in
  start)
    [ -f "$dir/data/postmaster.pid" ] && server stop -m immediate || true
    rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U sidecar --auth=trust -E UTF8 >/dev/null
    server start
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U sidecar sidecar_test
    echo "$url"
    ;;
  kill)
    kill -9 "$(head -n 1 "$dir/data/postmaster.pid")"
    ;;
  resume)
    for _ in $(seq 1 30); do server start 2>/dev/null && exit 0; sleep 0.3; done
    exit 1
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] && server stop -m fast || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|kill|resume|stop" >&2; exit 2 ;;
esac
