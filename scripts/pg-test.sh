#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's PostgreSQL 15 binaries).
#
#   scripts/pg-test.sh start DIR PORT   make (or reuse) a cluster in DIR, start it on
#                                       127.0.0.1:PORT, print its URL on stdout
#   scripts/pg-test.sh stop DIR         stop it and remove DIR
#
#   url=$(scripts/pg-test.sh start /tmp/rathaus-pg 5433)
#   RATHAUS_TEST_PG_URL=$url build/debug/unit/test_db
#   scripts/pg-test.sh stop /tmp/rathaus-pg
#
# Built for speed, not safety: trust authentication (but only on 127.0.0.1 and a
# socket inside DIR), fsync off. PostgreSQL refuses to run as root, so as root the
# cluster belongs to the `postgres` system user. Both commands may be repeated:
# start on a running cluster just prints the URL, stop on a missing DIR does nothing.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin # not /usr/local/bin: these must be Debian's own
ROLE=rathaus

die() { echo "pg-test: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT | halt DIR | stop DIR"; }

# Runs a command as the cluster's owner (`postgres` when we are root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$owner" -- "$@")
  else
    "$@"
  fi
}

# Absolute path of DIR, made without resolving through a missing directory.
abs_dir() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# A DIR we may reuse or remove: empty, or made by us (initdb.log is written first).
is_ours() {
  [ -z "$(ls -A "$dir")" ] || [ -f "$dir/initdb.log" ] || [ -f "$data/PG_VERSION" ]
}

is_running() {
  [ -f "$data/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# The port a cluster in DIR was made for (so `start` again cannot silently use another).
recorded_port() {
  sed -n "s/^port = \([0-9]*\).*/\1/p" "$data/postgresql.conf" "$data/postgresql.auto.conf" \
    2>/dev/null | tail -n 1
}

cmd_start() {
  local port=$1 locale tries
  case "$port" in ''|*[!0-9]*) die "PORT must be a number" ;; esac
  if [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then die "PORT must be 1024..65535"; fi
  [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb missing: apt-get install postgresql-15"
  # Unix sockets have a 107-byte path limit; ours is DIR/.s.PGSQL.PORT.
  [ "${#dir}" -le 80 ] || die "DIR path too long for a Unix socket: $dir"

  if [ -d "$dir" ] && ! is_ours; then
    die "$dir exists and is not a pg-test cluster: refusing to touch it"
  fi
  if [ -f "$dir/initdb.log" ] && [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data" # an earlier initdb was interrupted
  fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$owner:" "$dir"
    as_owner test -w "$dir" || die "user $owner cannot write $dir (check its parents' permissions)"
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=C.UTF-8; else locale=C; fi
    as_owner "$PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale="$locale" \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    # postgresql.conf: the last setting wins, so appending overrides initdb's.
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# pg-test.sh: throwaway test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  elif [ "$(recorded_port)" != "$port" ]; then
    die "the cluster in $dir was made for port $(recorded_port), not $port"
  fi

  if ! is_running; then
    as_owner "$PGBIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
      { tail -n 20 "$dir/server.log" >&2; die "server did not start"; }
  fi
  tries=0
  until "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || die "server not ready on port $port"
    sleep 0.1
  done
  as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c "DO \$\$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
            CREATE ROLE $ROLE SUPERUSER LOGIN;
          END IF;
        END \$\$;" >/dev/null
  echo "postgresql://$ROLE@127.0.0.1:$port/postgres"
}

cmd_stop() {
  [ -d "$dir" ] || return 0
  is_ours || die "$dir is not a pg-test cluster: refusing to remove it"
  if is_running; then
    as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  rm -rf "$dir"
}

# Stops the server but keeps the cluster, so that "start DIR PORT" brings it back
# with its data (tests of an outage).
cmd_halt() {
  is_ours || die "$dir is not a pg-test cluster"
  if is_running; then
    as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

[ $# -ge 2 ] || usage
action=$1
dir=$(abs_dir "${2%/}")
data=$dir/data
[ "$dir" != / ] || die "DIR must not be /"
if [ "$(id -u)" -eq 0 ]; then
  if [ -f "$data/PG_VERSION" ]; then owner=$(stat -c %U "$data"); else owner=postgres; fi
  id "$owner" >/dev/null 2>&1 || die "no user $owner (apt-get install postgresql)"
else
  owner=$(id -un)
fi

case "$action" in
  start) [ $# -eq 3 ] || usage; cmd_start "$3" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop ;;
  halt) [ $# -eq 2 ] || usage; cmd_halt ;;
  *) usage ;;
esac
