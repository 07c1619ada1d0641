#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the relay's tests: Debian's
# `postgresql` binaries (installed if missing), a new cluster in a temporary
# folder, on a free loopback port, run as the `postgres` user.
#
#   source scripts/pg-test-cluster.sh
#   pg_test_cluster_start     # exports KARTOTEKA_TEST_DATABASE
#   ...
#   pg_test_cluster_stop      # stops it and removes the folder
#
# Nothing here touches a cluster Debian itself may run.

pg_test_cluster_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "==> installing PostgreSQL (Debian's postgresql)" >&2
    if [[ "$(id -u)" -eq 0 ]]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$bin"
}

# Runs a command as the `postgres` user when we are root (initdb refuses
# root), as ourselves otherwise.
pg_test_as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_cluster_start() {
  local bin port
  bin="$(pg_test_cluster_bin)"
  PG_TEST_DIR="$(mktemp -d /tmp/kartoteka-pg.XXXXXX)"
  export PG_TEST_DIR PG_TEST_BIN="$bin"
  if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$PG_TEST_DIR"
  fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  pg_test_as_owner "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-instructions >"$PG_TEST_DIR/initdb.log" 2>&1 || {
    cat "$PG_TEST_DIR/initdb.log" >&2
    return 1
  }
  # Durable as in production (fsync on): the tests kill relays and check
  # that nothing acknowledged is lost.
  pg_test_as_owner "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c max_connections=400" \
    start >/dev/null || {
    cat "$PG_TEST_DIR/server.log" >&2
    return 1
  }
  export KARTOTEKA_TEST_DATABASE="postgres://postgres@127.0.0.1:$port/postgres"
  echo "==> PostgreSQL test cluster at $KARTOTEKA_TEST_DATABASE ($PG_TEST_DIR)" >&2
}

pg_test_cluster_stop() {
  if [[ -n "${PG_TEST_DIR:-}" && -d "$PG_TEST_DIR" ]]; then
    pg_test_as_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop \
      >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
  unset KARTOTEKA_TEST_DATABASE PG_TEST_DIR
}
