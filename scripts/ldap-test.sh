#!/usr/bin/env bash
# A throwaway OpenLDAP directory for the tests (Debian's slapd 2.5 binaries; the
# system's own slapd service is neither needed nor touched).
#
#   scripts/ldap-test.sh start DIR PORT   write a config into DIR, load tests/ldap/seed.ldif,
#                                         start slapd on ldap://127.0.0.1:PORT, print the URL
#   scripts/ldap-test.sh stop DIR         stop that slapd and remove DIR
#
#   url=$(scripts/ldap-test.sh start /tmp/rathaus-ldap 3389)
#   RATHAUS_TEST_LDAP_URL=$url build/debug/unit/test_ldap
#   scripts/ldap-test.sh stop /tmp/rathaus-ldap
#
# The directory: suffix dc=rathaus,dc=test, rootdn cn=admin,dc=rathaus,dc=test with
# the password "admin-test-secret", the search account
# cn=rathaus-service,ou=system,dc=rathaus,dc=test ("Dienst-Konto-2026!") which may
# read everything but passwords; anonymous clients may only bind. The people and
# groups are listed at the top of tests/ldap/seed.ldif.
#
# slapd runs as an ordinary background process from a slapd.conf (`slapd -f`), as
# whoever calls this script (root included: without -u slapd keeps its user), with
# an mdb database under DIR and its log in DIR/slapd.log. The seed is loaded
# offline with slapadd before the start, so the data are complete the moment
# slapd answers. `start` on a running server just prints its URL; `stop` on a
# missing DIR does nothing. A failed start leaves no slapd behind.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEED=$ROOT/tests/ldap/seed.ldif
SLAPD=/usr/sbin/slapd # Debian's own, not anything else on PATH
SLAPADD=/usr/sbin/slapadd
SCHEMA=/etc/ldap/schema
MODULES=/usr/lib/ldap # Debian builds every backend but config/ldif/monitor as a module
SUFFIX=dc=rathaus,dc=test
ROOTDN=cn=admin,$SUFFIX
ROOTPW='{SSHA}gh+wWZ+wNLWq9UnLRpLDm03VeBNOgn2x' # admin-test-secret
SERVICE_DN=cn=rathaus-service,ou=system,$SUFFIX
SERVICE_PW='Dienst-Konto-2026!'
MARK='# ldap-test.sh: throwaway test directory' # first line of DIR/slapd.conf

die() { echo "ldap-test: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT | stop DIR"; }

abs_dir() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# A DIR we may fill or remove: missing, empty, or written by this script.
is_ours() {
  [ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || head -n 1 "$dir/slapd.conf" 2>/dev/null | grep -qxF "$MARK"
}

# The pid of our slapd when it runs, else nothing. The pid file alone is not
# trusted: the process must be slapd started with DIR's config (pids get reused).
running_pid() {
  local pid
  pid=$(cat "$dir/slapd.pid" 2>/dev/null) || return 0
  case "$pid" in ''|*[!0-9]*) return 0 ;; esac
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slapd ] || return 0
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$dir/slapd.conf" || return 0
  echo "$pid"
}

# True while process $1 exists and is not a zombie (kill -0 succeeds on zombies,
# and our own dead background job stays one until bash reaps it).
alive() {
  local state
  state=$(sed -n 's/^[0-9]* ([^)]*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Sends TERM, waits up to 10 s, then KILL; returns once the process is gone.
kill_slapd() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "ldap-test: slapd $pid ignored TERM for 10 s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    alive "$pid" || return 0
    sleep 0.1
  done
  die "slapd $pid does not go away"
}

write_config() {
  cat >"$dir/slapd.conf" <<EOF
$MARK
# Removed with everything under $dir by "scripts/ldap-test.sh stop $dir".
include $SCHEMA/core.schema
include $SCHEMA/cosine.schema
include $SCHEMA/inetorgperson.schema

pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath $MODULES
moduleload back_mdb
loglevel stats
sizelimit 500
timelimit 10

# The root DSE and the schema, for clients that look before they search.
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read

database mdb
maxsize 67108864
suffix "$SUFFIX"
rootdn "$ROOTDN"
rootpw $ROOTPW
directory $dir/db
index objectClass eq
index uid eq
index member,uniqueMember eq

# Passwords are only ever compared (bind), never read. The search account reads
# the rest; nobody else, anonymous included, sees anything.
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by dn.exact="$SERVICE_DN" read
    by * none
EOF
}

cmd_start() {
  local port=$1 url pid deadline
  case "$port" in ''|*[!0-9]*) die "PORT must be a number" ;; esac
  if [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then die "PORT must be 1024..65535"; fi
  [ -x "$SLAPD" ] || die "$SLAPD missing: apt-get install slapd"
  command -v ldapsearch >/dev/null || die "ldapsearch missing: apt-get install ldap-utils"
  command -v timeout >/dev/null || die "timeout missing: apt-get install coreutils"
  [ -r "$SEED" ] || die "$SEED missing"
  is_ours || die "$dir exists and is not an ldap-test directory: refusing to touch it"
  url="ldap://127.0.0.1:$port"

  pid=$(running_pid)
  if [ -n "$pid" ]; then
    [ "$(cat "$dir/port" 2>/dev/null)" = "$port" ] ||
      die "the slapd in $dir listens on port $(cat "$dir/port" 2>/dev/null), not $port"
    echo "$url"
    return 0
  fi

  # Otherwise the readiness check below would happily talk to that other server.
  if port_taken "$port"; then die "port $port on 127.0.0.1 is already in use"; fi

  # Not running: start from scratch, so every run sees exactly the seed.
  rm -rf "$dir"
  mkdir -p "$dir/db"
  chmod 700 "$dir"
  write_config
  echo "$port" >"$dir/port"
  if ! "$SLAPADD" -f "$dir/slapd.conf" -b "$SUFFIX" -l "$SEED" >"$dir/slapadd.log" 2>&1; then
    cat "$dir/slapadd.log" >&2
    die "slapadd could not load $SEED"
  fi

  # slapd runs in the foreground (-d) as our background job, because only
  # debug output can go to a file (slapd.log); loglevel output goes to syslog,
  # which a container may not have. stdin/stdout/stderr must not stay on our
  # caller's pipe, or url=$(ldap-test.sh start …) would never return. A
  # non-interactive shell starts background jobs with SIGINT ignored, so a ^C in
  # the test runner leaves slapd to the runner's `stop`.
  "$SLAPD" -d stats -f "$dir/slapd.conf" -h "$url/" -n rathaus-ldap-test \
    </dev/null >"$dir/slapd.log" 2>&1 &
  pid=$!

  # nettimeout only bounds the connect; timeout(1) bounds a server that accepts
  # and never answers (another program on the port).
  deadline=$((SECONDS + 20))
  until timeout 3 ldapsearch -x -H "$url" -o nettimeout=2 -D "$SERVICE_DN" -w "$SERVICE_PW" \
      -b "$SUFFIX" -s base -LLL dn >/dev/null 2>&1; do
    if ! alive "$pid"; then # port taken meanwhile, bad config, …
      tail -n 20 "$dir/slapd.log" >&2 2>/dev/null || true
      die "slapd did not start on $url"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$dir/slapd.log" >&2 2>/dev/null || true
      kill_slapd "$pid"
      die "slapd not answering on $url after 20 s"
    fi
    sleep 0.1
  done
  alive "$pid" || die "slapd died during its start; see $dir/slapd.log"
  echo "$url"
}

# Stops our slapd if it runs; leaves DIR for the caller.
stop_quietly() {
  local pid
  pid=$(running_pid)
  if [ -n "$pid" ]; then kill_slapd "$pid"; fi
}

cmd_stop() {
  [ -e "$dir" ] || return 0
  is_ours || die "$dir is not an ldap-test directory: refusing to remove it"
  stop_quietly
  rm -rf "$dir"
}

[ $# -ge 2 ] || usage
action=$1
dir=$(abs_dir "${2%/}")
if [ "$dir" = / ] || [ -z "${2%/}" ]; then die "DIR must not be /"; fi
case "$dir" in *[[:space:]\"\\#]*) die "DIR must not contain spaces, quotes, backslashes or #: slapd.conf could not say it" ;; esac

case "$action" in
  start) [ $# -eq 3 ] || usage; cmd_start "$3" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop ;;
  *) usage ;;
esac
