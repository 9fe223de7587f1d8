#!/usr/bin/env bash
# Hostile clients against the gateway and the device-service behind it, while plain clients read: HOSTILE (20) clients
# send 10 MB JSON bodies (with Content-Length, and chunked) and deeply nested JSON to POST /api/v1/devices, READERS (4)
# clients GET /api/v1/devices the whole time. Prints the statuses of every kind and the readers' p50/p99/max latency.
# Its own PostgreSQL/PgBouncer/Redis+Sentinel harness on free ports, the two services; all stopped at the end.
#
#   bench/hostile-load.sh                     # HOSTILE=20 READERS=4 DURATION_S=30
#   GATEWAY_BODY_LIMIT=100M bench/hostile-load.sh   # the gateway's per-route body limit out of the way (as before it existed)
#   SKIP_BUILD=1 bench/hostile-load.sh        # reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HOSTILE=${HOSTILE:-20}
READERS=${READERS:-4}
SECONDS_RUN=${DURATION_S:-30}
WORK=$(mktemp -d /tmp/jc-bench.XXXXXX)
chmod 755 "$WORK"

command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (SKIP_BUILD=1 to reuse the last build)..."
    ./mvnw -B -q -ntp package -DskipTests -pl service-support,infra-harness,device-service,gateway-service -am
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
harness() { java -cp "$(ls "$ROOT"/infra-harness/target/infra-harness-*.jar | grep -v sources | head -1)" \
    io.junoscommander.infra.InfraHarnessMain "$@"; }

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    harness stop --dir "$WORK/infra" >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then
        echo "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

echo "starting PostgreSQL, PgBouncer, Redis + Sentinel on free ports..."
harness start --dir "$WORK/infra" --env-file "$WORK/infra.env" --postgres-port "$(free_port)" --pgbouncer-port "$(free_port)" \
    --redis-ports "$(free_port),$(free_port),$(free_port)" --sentinel-ports "$(free_port),$(free_port),$(free_port)" >/dev/null

openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$WORK/private.pem"
openssl ec -in "$WORK/private.pem" -pubout -out "$WORK/public.pem" 2>/dev/null
DEVICE_PORT=$(free_port)
GATEWAY_PORT=$(free_port)
# health and metrics are on each service's management interface
DEVICE_MANAGEMENT_PORT=$(free_port)
GATEWAY_MANAGEMENT_PORT=$(free_port)
ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

start() {
    local name=$1 port=$2 management=$3
    shift 3
    (
        set -a
        source "$WORK/infra.env"
        set +a
        export HTTP_HOST=127.0.0.1 HTTP_PORT="$port" LOG_FORMAT=console LOG_LEVEL=${SERVICE_LOG_LEVEL:-WARN} SHUTDOWN_DELAY=0s
        export MANAGEMENT_HOST=127.0.0.1 MANAGEMENT_PORT="$management"
        export DEVICE_SERVICE_HEALTH_URL="http://127.0.0.1:$DEVICE_MANAGEMENT_PORT/health/ready"
        INTERNAL_TOKEN_PUBLIC_KEY="$(cat "$WORK/public.pem")"
        INTERNAL_TOKEN_PRIVATE_KEY="$(cat "$WORK/private.pem")"
        export INTERNAL_TOKEN_PUBLIC_KEY INTERNAL_TOKEN_PRIVATE_KEY
        export ADMIN_USERNAME=admin ADMIN_PASSWORD="$ADMIN_PASSWORD" DEVICE_SERVICE_URL="http://127.0.0.1:$DEVICE_PORT"
        # the benchmark measures overload, not the limiter's refusals
        export RATE_LIMIT_PER_MINUTE=100000000 RATE_LIMIT_BURST=1000000
        exec java -Xmx512m "$@" -jar "$ROOT/$name/target/quarkus-app/quarkus-run.jar" > "$WORK/$name.log" 2>&1 < /dev/null
    ) &
    PIDS+=($!)
}
start device-service "$DEVICE_PORT" "$DEVICE_MANAGEMENT_PORT"
start gateway-service "$GATEWAY_PORT" "$GATEWAY_MANAGEMENT_PORT" ${GATEWAY_BODY_LIMIT:+-Dgateway.routes.devices.max-body-size=$GATEWAY_BODY_LIMIT}
for port in "$DEVICE_MANAGEMENT_PORT" "$GATEWAY_MANAGEMENT_PORT"; do
    for _ in $(seq 1 240); do
        curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" && break
        sleep 0.5
    done
    curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" || { echo "service on $port not ready" >&2; exit 1; }
done

SESSION=$(curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" \
    "http://127.0.0.1:$GATEWAY_PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')



echo "$HOSTILE hostile clients, $READERS readers, ${SECONDS_RUN}s${GATEWAY_BODY_LIMIT:+ (gateway body limit $GATEWAY_BODY_LIMIT)}"
java bench/HostileLoad.java "$GATEWAY_PORT" "$SESSION" "$HOSTILE" "$READERS" "$SECONDS_RUN"
echo "device-service unexpected errors: $(grep -c 'unexpected error' "$WORK/device-service.log" || true)"
