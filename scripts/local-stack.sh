#!/usr/bin/env bash
# The whole JunosCommander stack on this machine, on loopback, from Debian packages and the Maven build:
# PostgreSQL, PgBouncer, Redis with two replicas and three Sentinels, the device lab, and the four services.
#
#   scripts/local-stack.sh up       build, start what is not running, wait until every service is ready
#   scripts/local-stack.sh down     stop everything, leave no process behind
#   scripts/local-stack.sh status   what runs where
#   scripts/local-stack.sh start NAME...   start these services (gateway, device, task, backup) on the running
#                                          infrastructure and wait until they are ready, e.g. after a rebuild
#   scripts/local-stack.sh stop NAME...    stop these services (SIGTERM, as Kubernetes would)
#
# The last line `up` prints is exactly: Gateway: http://127.0.0.1:8080 user: admin password: <password>
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/common.sh

# Under /var/tmp by default: PostgreSQL's user must reach its folder, which a checkout under /root would not allow.
STATE_DIR=${JC_STATE_DIR:-/var/tmp/junoscommander-stack}
GATEWAY_PORT=${GATEWAY_PORT:-8080}
DEVICE_PORT=${DEVICE_PORT:-8081}
TASK_PORT=${TASK_PORT:-8082}
BACKUP_PORT=${BACKUP_PORT:-8083}
# health and metrics: each service's management interface, never its API port
GATEWAY_MANAGEMENT_PORT=${GATEWAY_MANAGEMENT_PORT:-9080}
DEVICE_MANAGEMENT_PORT=${DEVICE_MANAGEMENT_PORT:-9081}
TASK_MANAGEMENT_PORT=${TASK_MANAGEMENT_PORT:-9082}
BACKUP_MANAGEMENT_PORT=${BACKUP_MANAGEMENT_PORT:-9083}
LAB_DEVICES=${LAB_DEVICES:-50}
LAB_BASE_PORT=${LAB_BASE_PORT:-22000}
LAB_ADMIN_PORT=${LAB_ADMIN_PORT:-21999}
READY_TIMEOUT=${READY_TIMEOUT:-180}
# The services' JVM flags (JAVA_OPTS replaces them; JAVA_OPTS= for none): those of the images (service-support's
# quarkus.jib.jvm-additional-arguments), with MaxRAM as the pods' 768 Mi memory limit, so heap and metaspace are sized
# here as in a container. Serial GC and C1 only: on one or two cores a start then costs about half the CPU, and the
# fan-out and task benches ran on less CPU too (README, Startup and memory).
SERVICE_JAVA_OPTS="-XX:MaxRAM=768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:MaxRAMPercentage=70 -XX:InitialRAMPercentage=5
    -XX:MaxMetaspaceSize=192m -XX:+ExitOnOutOfMemoryError"
SERVICES=(gateway device task backup)

port_of() {
    case "$1" in
        gateway) echo "$GATEWAY_PORT" ;;
        device) echo "$DEVICE_PORT" ;;
        task) echo "$TASK_PORT" ;;
        backup) echo "$BACKUP_PORT" ;;
        *) return 1 ;;
    esac
}

management_port_of() {
    case "$1" in
        gateway) echo "$GATEWAY_MANAGEMENT_PORT" ;;
        device) echo "$DEVICE_MANAGEMENT_PORT" ;;
        task) echo "$TASK_MANAGEMENT_PORT" ;;
        backup) echo "$BACKUP_MANAGEMENT_PORT" ;;
        *) return 1 ;;
    esac
}

pid_alive() {
    [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

harness() {
    java -cp "$(ls "$ROOT"/infra-harness/target/infra-harness-*.jar | head -1)" io.junoscommander.infra.InfraHarnessMain "$@"
}

# $1: the service's management port
ready() {
    curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health/ready"
}

build() {
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        return
    fi
    echo "building (./mvnw package, tests skipped; SKIP_BUILD=1 to reuse the last build)..."
    ./mvnw -B -q -ntp package -DskipTests
}

admin_password() {
    local file="$STATE_DIR/admin-password"
    if [ ! -s "$file" ]; then
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$file")
    fi
    cat "$file"
}

# The gateway and the task service sign internal tokens with the private key; every service verifies them with the public one.
internal_token_keys() {
    if [ ! -s "$STATE_DIR/internal-token-public.pem" ]; then
        (umask 077 && openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt \
            -out "$STATE_DIR/internal-token-private.pem")
        openssl ec -in "$STATE_DIR/internal-token-private.pem" -pubout -out "$STATE_DIR/internal-token-public.pem" 2>/dev/null
    fi
}

# The device service's credential vault master key (AES-256), kept like a mounted Kubernetes secret would be.
credential_keys() {
    if [ ! -s "$STATE_DIR/credential-keys" ]; then
        (umask 077 && echo "local-1:$(head -c 32 /dev/urandom | base64)" > "$STATE_DIR/credential-keys")
    fi
}

start_lab() {
    local pidfile="$STATE_DIR/pids/device-lab.pid"
    if pid_alive "$pidfile"; then
        return
    fi
    local jar
    jar=$(ls "$ROOT"/device-lab/target/device-lab-*.jar | grep -v original | head -1)
    nohup java -jar "$jar" --devices "$LAB_DEVICES" --base-port "$LAB_BASE_PORT" --admin-port "$LAB_ADMIN_PORT" \
        --inventory "$STATE_DIR/inventory.json" --host-key-file "$STATE_DIR/lab-host-key.pem" \
        > "$STATE_DIR/logs/device-lab.log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
}

start_service() {
    local name=$1 port
    port=$(port_of "$name")
    local pidfile="$STATE_DIR/pids/$name-service.pid"
    if pid_alive "$pidfile"; then
        return
    fi
    (
        set -a
        source "$STATE_DIR/infra.env"
        set +a
        export HTTP_HOST=127.0.0.1 HTTP_PORT="$port" INSTANCE_ID="$name-service-local-1"
        export MANAGEMENT_HOST=127.0.0.1 MANAGEMENT_PORT="$(management_port_of "$name")"
        export ADMIN_USERNAME=admin ADMIN_PASSWORD="$(admin_password)"
        export DEVICE_SERVICE_URL="http://127.0.0.1:$DEVICE_PORT" TASK_SERVICE_URL="http://127.0.0.1:$TASK_PORT"
        export BACKUP_SERVICE_URL="http://127.0.0.1:$BACKUP_PORT"
        export DEVICE_SERVICE_HEALTH_URL="http://127.0.0.1:$DEVICE_MANAGEMENT_PORT/health/ready"
        export TASK_SERVICE_HEALTH_URL="http://127.0.0.1:$TASK_MANAGEMENT_PORT/health/ready"
        export BACKUP_SERVICE_HEALTH_URL="http://127.0.0.1:$BACKUP_MANAGEMENT_PORT/health/ready"
        export LOG_FORMAT="${LOG_FORMAT:-json}"
        # no load balancer drains a local process, so readiness needs only a moment to be seen DOWN before the stop
        export SHUTDOWN_DELAY="${SHUTDOWN_DELAY:-1s}"
        INTERNAL_TOKEN_PUBLIC_KEY="$(cat "$STATE_DIR/internal-token-public.pem")"
        export INTERNAL_TOKEN_PUBLIC_KEY
        export CREDENTIAL_KEYS_FILE="$STATE_DIR/credential-keys"
        # the backup service keeps its backups (and the WAL it streams) on the state volume
        export BACKUP_DIR="$STATE_DIR/backups"
        # the gateway signs for its callers, the task service for a task's submitter when a worker or schedule runs it,
        # the backup service for its configuration collection from the device service
        if [ "$name" = gateway ] || [ "$name" = task ] || [ "$name" = backup ]; then
            INTERNAL_TOKEN_PRIVATE_KEY="$(cat "$STATE_DIR/internal-token-private.pem")"
            export INTERNAL_TOKEN_PRIVATE_KEY
        fi
        # From the application's folder: an AppCDS archive names the class path relative to it, and the JVM ignores the
        # archive when started from elsewhere. The first start after a build records what a whole start loads (Flyway,
        # the PostgreSQL and Redis clients, the HTTP server) into the local stack's archive of the service, written when
        # that JVM exits (stop or down); later starts map it. bench/startup.sh: 12-17 % less CPU to ready than with the
        # package-time archive of -Pappcds (the images' one, only what loads up to Quarkus's static init), which the
        # local stack therefore does not build; a start with no archive (the recording one) costs about half again.
        local app="$ROOT/$name-service/target/quarkus-app" archive=() trained="$STATE_DIR/appcds/$name-service.jsa"
        mkdir -p "$STATE_DIR/appcds"
        if [ -s "$trained" ] && [ "$trained" -nt "$app/quarkus-run.jar" ]; then
            archive=(-XX:SharedArchiveFile="$trained")
        else
            rm -f "$trained"
            # the dump warns about every class it leaves out (hundreds of lines in the log): errors only
            archive=(-XX:ArchiveClassesAtExit="$trained" -Xlog:cds=error,cds+dynamic=error)
        fi
        cd "$app"
        # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
        nohup java ${JAVA_OPTS-$SERVICE_JAVA_OPTS} "${archive[@]}" -jar quarkus-run.jar \
            > "$STATE_DIR/logs/$name-service.log" 2>&1 < /dev/null &
        echo $! > "$pidfile"
    )
}

stop_pid() {
    local pidfile=$1 timeout=${2:-40}
    if ! pid_alive "$pidfile"; then
        rm -f "$pidfile"
        return
    fi
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((timeout * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# $@: services to wait for; exits with the service's last log lines when one dies or the timeout passes
await_ready() {
    echo "waiting for the services to be ready (up to ${READY_TIMEOUT} s)..."
    local deadline=$((SECONDS + READY_TIMEOUT)) name
    for name in "$@"; do
        local port management
        port=$(port_of "$name")
        management=$(management_port_of "$name")
        until ready "$management"; do
            if ! pid_alive "$STATE_DIR/pids/$name-service.pid"; then
                echo "$name-service exited; last lines of $STATE_DIR/logs/$name-service.log:" >&2
                tail -n 30 "$STATE_DIR/logs/$name-service.log" >&2
                exit 1
            fi
            if [ $SECONDS -ge $deadline ]; then
                echo "$name-service not ready after ${READY_TIMEOUT} s; see $STATE_DIR/logs/$name-service.log" >&2
                exit 1
            fi
            sleep 0.5
        done
        echo "$name-service ready on http://127.0.0.1:$port (health and metrics on http://127.0.0.1:$management)"
    done
}

up() {
    ensure_java
    ensure_packages "${JC_PACKAGES[@]}"
    build
    mkdir -p "$STATE_DIR/pids" "$STATE_DIR/logs"
    chmod 755 "$STATE_DIR"
    local started=$SECONDS
    harness start --dir "$STATE_DIR/infra" --env-file "$STATE_DIR/infra.env"
    internal_token_keys
    credential_keys
    start_lab
    for name in "${SERVICES[@]}"; do
        start_service "$name"
    done
    await_ready "${SERVICES[@]}"
    # the lab's devices and login in the inventory, so a command can be run right away
    for _ in $(seq 1 100); do
        [ -s "$STATE_DIR/inventory.json" ] && break
        sleep 0.2
    done
    ADMIN_PASSWORD="$(admin_password)" java -cp "$(ls "$ROOT"/infra-harness/target/infra-harness-*.jar | head -1)" \
        io.junoscommander.infra.LocalStackSeed "http://127.0.0.1:$GATEWAY_PORT" "$STATE_DIR/inventory.json"
    echo "stack ready in $((SECONDS - started)) s (logs in $STATE_DIR/logs)"
    echo "Gateway: http://127.0.0.1:$GATEWAY_PORT user: admin password: $(admin_password)"
}

down() {
    # services first and all at once (each spends SHUTDOWN_DELAY reporting not-ready), then the lab, then the infrastructure
    local name
    for name in "${SERVICES[@]}"; do
        stop_pid "$STATE_DIR/pids/$name-service.pid" &
    done
    stop_pid "$STATE_DIR/pids/device-lab.pid" 15 &
    wait
    if [ -d "$STATE_DIR/infra" ] && ls "$ROOT"/infra-harness/target/infra-harness-*.jar >/dev/null 2>&1; then
        harness stop --dir "$STATE_DIR/infra"
    fi
    echo "stack stopped"
}

status() {
    if [ -d "$STATE_DIR/infra" ]; then
        harness status --dir "$STATE_DIR/infra"
    else
        echo "infrastructure: not created ($STATE_DIR/infra)"
    fi
    if pid_alive "$STATE_DIR/pids/device-lab.pid"; then
        printf '%-15s %-16s running (pid %s)\n' device-lab "127.0.0.1:$LAB_BASE_PORT+" "$(cat "$STATE_DIR/pids/device-lab.pid")"
    else
        printf '%-15s %-16s stopped\n' device-lab "127.0.0.1:$LAB_BASE_PORT+"
    fi
    for name in "${SERVICES[@]}"; do
        local port management state
        port=$(port_of "$name")
        management=$(management_port_of "$name")
        if pid_alive "$STATE_DIR/pids/$name-service.pid"; then
            state="running (pid $(cat "$STATE_DIR/pids/$name-service.pid"), management :$management)"
            ready "$management" && state="$state, ready" || state="$state, not ready"
        else
            state=stopped
        fi
        printf '%-15s %-16s %s\n' "$name-service" "127.0.0.1:$port" "$state"
    done
}

# $@: service names, each one of SERVICES
check_names() {
    [ $# -gt 0 ] || { echo "name at least one of: ${SERVICES[*]}" >&2; exit 2; }
    local name
    for name in "$@"; do
        port_of "$name" >/dev/null || { echo "unknown service '$name'; one of: ${SERVICES[*]}" >&2; exit 2; }
    done
}

start() {
    check_names "$@"
    [ -s "$STATE_DIR/infra.env" ] || { echo "the stack is not up; run $0 up first" >&2; exit 1; }
    local name
    for name in "$@"; do
        start_service "$name"
    done
    await_ready "$@"
}

stop() {
    check_names "$@"
    local name
    for name in "$@"; do
        stop_pid "$STATE_DIR/pids/$name-service.pid" &
    done
    wait
}

command=${1:-}
shift || true
case "$command" in
    up) up ;;
    down) down ;;
    status) status ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    *)
        echo "usage: $0 up|down|status|start NAME...|stop NAME..." >&2
        exit 2
        ;;
esac
