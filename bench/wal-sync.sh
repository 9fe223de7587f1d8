#!/usr/bin/env bash
# What the WAL receiver costs in commit latency: pgbench (-N, synchronous_commit=on) straight against PostgreSQL with no
# receiver, with the backup service's receiver asynchronous, and synchronous (BACKUP_WAL_SYNCHRONOUS=true, the receiver's
# application_name in synchronous_standby_names). Prints tps and average latency of each, and the receiver lag (bytes and
# seconds, from /metrics) sampled every second under the load. Everything it starts (its own durable PostgreSQL/PgBouncer/
# Redis harness on free ports, the backup service) is stopped at the end.
#
#   bench/wal-sync.sh                  # CLIENTS=4 DURATION=20 SCALE=10
#   SKIP_BUILD=1 bench/wal-sync.sh     # reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLIENTS=${CLIENTS:-4}
DURATION=${DURATION:-20}
SCALE=${SCALE:-10}
WORK=$(mktemp -d /tmp/jc-bench.XXXXXX)
chmod 755 "$WORK"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$PGBIN/pgbench" ] || { echo "pgbench is missing: apt-get install postgresql-contrib (or postgresql)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (SKIP_BUILD=1 to reuse the last build)..."
    ./mvnw -B -q -ntp package -DskipTests -pl backup-service -am
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
harness() { java -cp "$(ls "$ROOT"/infra-harness/target/infra-harness-*.jar | grep -v sources | head -1)" \
    io.junoscommander.infra.InfraHarnessMain "$@"; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

SERVICE_PID=
cleanup() {
    stop_service
    harness stop --dir "$WORK/infra" >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "starting PostgreSQL (durable: fsync on), PgBouncer, Redis + Sentinel on free ports..."
harness start --dir "$WORK/infra" --env-file "$WORK/infra.env" --postgres-port "$(free_port)" --pgbouncer-port "$(free_port)" \
    --redis-ports "$(free_port),$(free_port),$(free_port)" --sentinel-ports "$(free_port),$(free_port),$(free_port)" >/dev/null
set -a; source "$WORK/infra.env"; set +a
superuser_sql() { as_postgres "$PGBIN/psql" -h "$WORK/infra/postgres" -p "$DB_MIGRATION_PORT" -U postgres -d "$DB_NAME" -X -q -A -t -c "$1"; }
# what the README asks an operator to grant the backup role: the WAL sender's positions and lag are visible with pg_monitor
superuser_sql "GRANT pg_monitor TO $BACKUP_DB_USER"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$WORK/private.pem"
openssl ec -in "$WORK/private.pem" -pubout -out "$WORK/public.pem" 2>/dev/null
PORT=$(free_port)
# /metrics is on the management interface, never on the API port
MANAGEMENT_PORT=$(free_port)

start_service() {
    (
        export HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" LOG_FORMAT=console LOG_LEVEL=${SERVICE_LOG_LEVEL:-INFO} SHUTDOWN_DELAY=0s
        export MANAGEMENT_HOST=127.0.0.1 MANAGEMENT_PORT
        export BACKUP_DIR="$WORK/backups" BACKUP_WORK_DIR="$WORK/work" BACKUP_WAL_SYNCHRONOUS="$1" BACKUP_WAL_LAG_INTERVAL=1s
        INTERNAL_TOKEN_PUBLIC_KEY="$(cat "$WORK/public.pem")"
        export INTERNAL_TOKEN_PUBLIC_KEY
        exec java -Xmx384m -jar "$ROOT/backup-service/target/quarkus-app/quarkus-run.jar" >> "$WORK/backup-service.log" 2>&1 < /dev/null
    ) &
    SERVICE_PID=$!
    for _ in $(seq 1 240); do
        curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/metrics" 2>/dev/null | grep -q '^backup_wal_receiver_up 1' && return 0
        sleep 0.5
    done
    echo "the WAL receiver did not start; log: $WORK/backup-service.log" >&2
    KEEP=1
    exit 1
}
stop_service() {
    if [ -n "$SERVICE_PID" ]; then
        kill -TERM "$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVICE_PID" 2>/dev/null || true
        SERVICE_PID=
    fi
}

export PGPASSWORD="$DB_PASSWORD"
PGB=("$PGBIN/pgbench" -h 127.0.0.1 -p "$DB_MIGRATION_PORT" -U "$DB_USER" "$DB_NAME")
echo "pgbench -i -s $SCALE ..."
"${PGB[@]}" -i -q -s "$SCALE" >/dev/null 2>&1

# one pgbench run; with a receiver, samples its lag from /metrics every second meanwhile
run() {
    local label=$1 out="$WORK/pgbench-$1.txt" lag="$WORK/lag-$1.txt"
    : > "$lag"
    PGOPTIONS='-c synchronous_commit=on' "${PGB[@]}" -c "$CLIENTS" -j 2 -T "$DURATION" -N > "$out" 2>&1 &
    local bench=$!
    if [ "$label" != none ]; then
        while kill -0 "$bench" 2>/dev/null; do
            curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/metrics" | awk '/^backup_wal_receiver_lag_bytes /{b=$2} /^backup_wal_receiver_lag_seconds /{s=$2} END{print b, s}' >> "$lag" || true
            sleep 1
        done
    fi
    wait "$bench"
    local tps latency
    tps=$(awk -F'= ' '/^tps/{split($2,a," "); print a[1]}' "$out")
    latency=$(awk -F'= ' '/^latency average/{split($2,a," "); print a[1]}' "$out")
    if [ -s "$lag" ]; then
        awk -v label="$label" -v tps="$tps" -v lat="$latency" '$1 != "NaN" {n++; b+=$1; if ($1>mb) mb=$1; s+=$2; if ($2>ms) ms=$2}
            END {printf "%-13s tps %9.1f   latency avg %7.3f ms   receiver lag avg %9.0f B (max %9.0f B), avg %.4f s (max %.4f s)\n",
                 label, tps, lat, b/n, mb, s/n, ms}' "$lag"
    else
        printf "%-13s tps %9.1f   latency avg %7.3f ms\n" "$label" "$tps" "$latency"
    fi
}

echo "pgbench -N -c $CLIENTS -T $DURATION, synchronous_commit=on, PostgreSQL fsync on:"
run none
start_service false
run asynchronous
stop_service
superuser_sql "ALTER SYSTEM SET synchronous_standby_names = 'jc_backup_wal'"
superuser_sql "SELECT pg_reload_conf()" >/dev/null
start_service true
run synchronous
superuser_sql "ALTER SYSTEM RESET synchronous_standby_names"
superuser_sql "SELECT pg_reload_conf()" >/dev/null
stop_service
