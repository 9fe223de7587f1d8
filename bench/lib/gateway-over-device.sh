# Sourced by the benchmarks that run the gateway in front of the device-service (gateway-hop.sh, hostile-load.sh), with
# ROOT (the checkout) and WORK (a scratch folder) set: builds unless SKIP_BUILD=1, starts its own PostgreSQL/PgBouncer/
# Redis+Sentinel harness on free ports, and offers start (a packaged service with the harness environment), await_ready
# and login; everything it starts is stopped on exit (KEEP=1 keeps WORK's logs).
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (SKIP_BUILD=1 to reuse the last build)..."
    # the class path file: MintToken (the direct calls' internal token) runs on the gateway's test class path
    ./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -pl service-support,infra-harness,device-service,gateway-service \
        -am -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
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
        # a benchmark measures the services, not the limiter's refusals
        export RATE_LIMIT_PER_MINUTE=100000000 RATE_LIMIT_BURST=1000000
        exec java -Xmx512m "$@" -jar "$ROOT/$name/target/quarkus-app/quarkus-run.jar" > "$WORK/$name.log" 2>&1 < /dev/null
    ) &
    PIDS+=($!)
}

# waits until both services answer /health/ready on their management ports
await_ready() {
    local port
    for port in "$DEVICE_MANAGEMENT_PORT" "$GATEWAY_MANAGEMENT_PORT"; do
        for _ in $(seq 1 240); do
            curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" && break
            sleep 0.5
        done
        curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" || { echo "service on $port not ready" >&2; exit 1; }
    done
}

# prints a session token of the admin, from the gateway's login
login() {
    curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" \
        "http://127.0.0.1:$GATEWAY_PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
