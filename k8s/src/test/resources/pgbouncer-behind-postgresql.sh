#!/bin/sh
# Runs the local overlay's PostgreSQL and PgBouncer start scripts (from the rendered ConfigMaps, in $1) the way their pods
# would: on PostgreSQL's and PgBouncer's own ports, PgBouncer finding PostgreSQL under the Service name "postgresql".
# Meant to run inside `unshare --mount --net` (as root), so that those fixed ports, /tmp and /etc/hosts are private.
# Prints "check <name>: <result>" lines for the test to read; stops everything it started.
set -eu
work=$1
# from a folder every user may enter: the checkout can be private to root, and runuser keeps the working directory
cd /
bin=/usr/lib/postgresql/15/bin
command -v ip > /dev/null || { echo "the ip command (Debian package iproute2) is needed" >&2; exit 1; }
ip link set lo up
mount -t tmpfs -o mode=1777 none /tmp
echo "127.0.0.1 localhost postgresql" > /tmp/hosts
mount --bind /tmp/hosts /etc/hosts
started=""
stop() {
    runuser -u postgres -- "$bin/pg_ctl" -D "$work/volume/pgdata" -m fast -w stop > /dev/null 2>&1 || true
    for pid in $started; do
        kill "$pid" 2> /dev/null || true
    done
    wait
}
trap stop EXIT
secrets="DB_NAME=junoscommander DB_USER=junoscommander DB_PASSWORD=app-secret BACKUP_DB_USER=jc_backup BACKUP_DB_PASSWORD=backup-secret"
# shellcheck disable=SC2086
runuser -u postgres -- env PGDATA="$work/volume/pgdata" $secrets sh "$work/postgresql/start.sh" > "$work/postgresql.log" 2>&1 &
started="$started $!"
for _ in $(seq 1 240); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
done
# PgBouncer refuses to run as root; the pods run it as 10001
# shellcheck disable=SC2086
runuser -u postgres -- env $secrets sh "$work/pgbouncer/start.sh" > "$work/pgbouncer.log" 2>&1 &
started="$started $!"
for _ in $(seq 1 60); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p 6432 && break
    sleep 0.5
done
through_pgbouncer() {
    PGPASSWORD=$1 "$bin/psql" -X -At -v ON_ERROR_STOP=1 "host=127.0.0.1 port=6432 user=junoscommander dbname=junoscommander" \
        -c "$2" 2>&1 || true
}
echo "check server: $(through_pgbouncer app-secret 'SELECT current_user || '"'"'@'"'"' || inet_server_port()')"
echo "check pool mode: $(grep -E '^pool_mode' /tmp/pgbouncer.ini)"
echo "check wrong password: $(through_pgbouncer not-the-secret 'SELECT 1' | tr '\n' ' ')"
