#!/usr/bin/env bash
# Throwaway OpenLDAP (slapd 2.5, Debian 12) on a high port, with accesslog (deletes) + syncprov (contextCSN) + memberof.
# usage: infra/ldap/slapd-harness.sh start|stop   (env: SLAPD_DIR, SLAPD_PORT)
# The test suites start their own (test/support/slapd.ts); this one is for trying the ldap source and
# ldap-poll by hand: LDAP_URL=ldap://127.0.0.1:3389 LDAP_ALLOW_PLAIN_LDAP=true LDAP_BASE_DN=dc=example,dc=test
# LDAP_BIND_DN=cn=admin,dc=example,dc=test LDAP_BIND_PASSWORD=secret.
set -euo pipefail
D=${SLAPD_DIR:-${TMPDIR:-/tmp}/slapd-test}
PORT=${SLAPD_PORT:-3389}
case "${1:-start}" in
  start)
    command -v slapd >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slapd ldap-utils >/dev/null; }
    rm -rf "$D"; mkdir -p "$D/data" "$D/accesslog"
    cat > "$D/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $D/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload accesslog
moduleload syncprov
moduleload memberof

database mdb
suffix "cn=accesslog"
rootdn "cn=accesslog"
rootpw secret
directory $D/accesslog
maxsize 104857600
index default eq
index entryCSN,objectClass,reqEnd,reqResult,reqStart,reqDN,reqType

database mdb
suffix "dc=example,dc=test"
rootdn "cn=admin,dc=example,dc=test"
rootpw secret
directory $D/data
maxsize 104857600
index objectClass,entryCSN,entryUUID,uid,member,uniqueMember,memberUid eq
overlay memberof
overlay syncprov
syncprov-checkpoint 1 1
overlay accesslog
logdb "cn=accesslog"
logops writes
logsuccess TRUE
# No logold: with a logold filter, deletes of entries it does not match are logged without reqEntryUUID.
logpurge 07+00:00 01+00:00
EOF
    slaptest -Q -u -f "$D/slapd.conf"
    # -d 0 keeps it in the foreground (no fork) so the PID we record is the server's.
    setsid slapd -f "$D/slapd.conf" -h "ldap://127.0.0.1:$PORT/" -d 0 >"$D/slapd.out" 2>&1 < /dev/null &
    echo $! > "$D/server.pid"
    for _ in $(seq 1 100); do ldapsearch -LLL -H "ldap://127.0.0.1:$PORT" -x -s base -b '' namingContexts >/dev/null 2>&1 && break; sleep 0.05; done
    printf 'dn: dc=example,dc=test\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\ndn: ou=People,dc=example,dc=test\nobjectClass: organizationalUnit\nou: People\n\ndn: ou=Groups,dc=example,dc=test\nobjectClass: organizationalUnit\nou: Groups\n' \
      | ldapadd -x -H "ldap://127.0.0.1:$PORT" -D cn=admin,dc=example,dc=test -w secret >/dev/null
    echo "slapd up: ldap://127.0.0.1:$PORT bind cn=admin,dc=example,dc=test / secret; accesslog: cn=accesslog / secret"
    ;;
  stop)
    [ -f "$D/server.pid" ] && kill -TERM "$(cat "$D/server.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$D/server.pid" 2>/dev/null || echo 0)" 2>/dev/null || break; sleep 0.1; done
    ;;
esac
