#!/usr/bin/env bash
# How fast each service becomes ready and how much memory it holds: each of the four started alone (the other three
# stopped, the infrastructure and the device lab running), then all four at once, on a local stack of its own (its own
# state folder and ports, so a running local stack is left alone). Per service it prints Quarkus's "started in", the time
# from launch to /health/ready answering 200 (polled every 50 ms), and the resident memory after IDLE seconds of idling.
#
#   bench/startup.sh                 # ROUNDS=2 IDLE=5 JAVA_OPTS as the local stack's
#   SKIP_BUILD=1 bench/startup.sh    # reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
IDLE=${IDLE:-5}
export JC_STATE_DIR=${BENCH_STATE_DIR:-/var/tmp/jc-bench-startup}
export GATEWAY_PORT=18080 DEVICE_PORT=18081 TASK_PORT=18082 BACKUP_PORT=18083
export GATEWAY_MANAGEMENT_PORT=19080 DEVICE_MANAGEMENT_PORT=19081 TASK_MANAGEMENT_PORT=19082 BACKUP_MANAGEMENT_PORT=19083
export LAB_DEVICES=5 LAB_BASE_PORT=23000 LAB_ADMIN_PORT=22999
STACK=scripts/local-stack.sh
SERVICES=(gateway device task backup)

management_port() {
    case "$1" in
        gateway) echo $GATEWAY_MANAGEMENT_PORT ;; device) echo $DEVICE_MANAGEMENT_PORT ;;
        task) echo $TASK_MANAGEMENT_PORT ;; backup) echo $BACKUP_MANAGEMENT_PORT ;;
    esac
}

trap '$STACK down >/dev/null 2>&1 || true' EXIT
echo "bringing up a stack of its own in $JC_STATE_DIR..."
$STACK up > "$JC_STATE_DIR.up.log" 2>&1 || { tail -20 "$JC_STATE_DIR.up.log"; exit 1; }
$STACK stop "${SERVICES[@]}"
sleep 2

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# $@: services to start together; prints one line per service
measure() {
    local start name pending
    declare -A ready_ms=()
    start=$(now_ms)
    $STACK start "$@" > /dev/null &
    local launcher=$!
    pending=$#
    while [ "$pending" -gt 0 ]; do
        for name in "$@"; do
            [ -n "${ready_ms[$name]:-}" ] && continue
            if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$(management_port "$name")/health/ready"; then
                ready_ms[$name]=$(( $(now_ms) - start ))
                pending=$((pending - 1))
            fi
        done
        if ! kill -0 "$launcher" 2>/dev/null && [ "$pending" -gt 0 ] && ! wait "$launcher"; then
            echo "a service did not start; logs in $JC_STATE_DIR/logs" >&2
            exit 1
        fi
        sleep 0.05
    done
    wait "$launcher" || true
    sleep "$IDLE"
    for name in "$@"; do
        local pid started rss
        pid=$(cat "$JC_STATE_DIR/pids/$name-service.pid")
        started=$(grep -o 'started in [0-9.]*s' "$JC_STATE_DIR/logs/$name-service.log" | tail -1 | sed 's/started in //')
        rss=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
        printf '%-8s %-16s started in %7s   ready after %6.2f s   RSS %4d MB\n' "$name" "$LABEL" "$started" \
            "$(awk -v ms="${ready_ms[$name]}" 'BEGIN { print ms / 1000 }')" "$rss"
    done
    $STACK stop "$@"
    sleep 2
}

echo "JAVA_OPTS='${JAVA_OPTS:-}' on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round"
    for name in "${SERVICES[@]}"; do
        LABEL=alone measure "$name"
    done
    LABEL="all four at once" measure "${SERVICES[@]}"
done
