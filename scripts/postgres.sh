#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free local port and prints its connection string.
# Installs PostgreSQL from Debian's packages when it is missing (needs root and apt-get).
# Usage: eval "$(scripts/postgres.sh start)"   -> exports CONTROLLER_TEST_POSTGRES and PGTEST_DIR
#        scripts/postgres.sh stop "$PGTEST_DIR"
# PGTEST_SERVER_OPTIONS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements" to profile a benchmark.
set -euo pipefail

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start() {
  local bin
  bin=$(find_bin || true)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      echo "PostgreSQL not found; installing it from Debian's packages" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      bin=$(find_bin)
    else
      echo "PostgreSQL is not installed and cannot be installed here; PostgreSQL tests will be skipped" >&2
      return 0
    fi
  fi

  local dir port run_as=()
  dir=$(mktemp -d /tmp/controller-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U controller --auth=trust -E UTF8 >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off ${PGTEST_SERVER_OPTIONS:-}" start >/dev/null
  echo "export PGTEST_DIR='$dir'"
  echo "export CONTROLLER_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=controller;Database=postgres;Pooling=true;Maximum Pool Size=50'"
}

stop() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  local bin run_as=()
  bin=$(find_bin)
  [ "$(id -u)" -eq 0 ] && run_as=(runuser -u postgres --)
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
