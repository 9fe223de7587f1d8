#!/usr/bin/env bash
# How fast each service becomes ready and how much memory it holds: each of the four started alone (the other three
# stopped, the infrastructure and the device lab running), then all four at once, on a local stack of its own (its own
# state folder and ports, so a running local stack is left alone). Per service it prints Quarkus's "started in", the time
# from launch to /health/ready answering 200 (polled every 50 ms), the CPU seconds the JVM had used by then (user + system,
# every thread: what a busy machine cannot hide, where wall times vary with the load), the resident memory and the classes
# loaded after IDLE seconds of idling; at the end the median of each figure over the rounds.
#
#   bench/startup.sh                          # ROUNDS=2 IDLE=5, the local stack's JVM flags (JAVA_OPTS to override)
#   SKIP_BUILD=1 bench/startup.sh             # reuse the last build
#   BASELINE=/path/to/checkout bench/startup.sh   # also that checkout's packaged services (its own local-stack.sh and
#                                             # flags), alternated with this one's in every round: before/after figures
#                                             # measured in the same run on the same infrastructure
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
VARIANTS=(this)
if [ -n "${BASELINE:-}" ]; then
    [ -f "$BASELINE/task-service/target/quarkus-app/quarkus-run.jar" ] || { echo "no packaged services in $BASELINE" >&2; exit 2; }
    VARIANTS=(baseline this)
fi
RESULTS=$(mktemp)

management_port() {
    case "$1" in
        gateway) echo $GATEWAY_MANAGEMENT_PORT ;; device) echo $DEVICE_MANAGEMENT_PORT ;;
        task) echo $TASK_MANAGEMENT_PORT ;; backup) echo $BACKUP_MANAGEMENT_PORT ;;
    esac
}

stack_of() {
    if [ "$1" = baseline ]; then echo "$BASELINE/$STACK"; else echo "$STACK"; fi
}

trap '$STACK down >/dev/null 2>&1 || true; rm -f "$RESULTS"' EXIT
echo "bringing up a stack of its own in $JC_STATE_DIR..."
$STACK up > "$JC_STATE_DIR.up.log" 2>&1 || { tail -20 "$JC_STATE_DIR.up.log"; exit 1; }
$STACK stop "${SERVICES[@]}"
sleep 2

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# CPU seconds (user + system, all threads) process $1 has used so far
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# classes the JVM $1 has loaded, from the archive or not
loaded_classes() {
    jcmd "$1" PerfCounter.print 2>/dev/null | awk -F= '/^java.cls.loadedClasses=|^java.cls.sharedLoadedClasses=/ { n += $2 }
        END { print n + 0 }'
}

# whether the JVM of service $1 was launched (its pid file written) and is gone: without this a service that exits at
# start (say a migration that could not connect) would leave the loop below waiting for ever
exited_before_ready() {
    local pid_file="$JC_STATE_DIR/pids/$1-service.pid"
    [ -s "$pid_file" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null
}

# $1: variant (this, baseline); $2..: services to start together; prints one line per service
measure() {
    local variant=$1 start name pending stack
    shift
    stack=$(stack_of "$variant")
    declare -A ready_ms=() cpu_at_ready=()
    start=$(now_ms)
    # the baseline meets the schema this checkout migrated: a migration newer than its own is no reason to stop
    local baseline_env=()
    [ "$variant" = baseline ] && baseline_env=(QUARKUS_FLYWAY_IGNORE_MIGRATION_PATTERNS='*:future')
    env "${baseline_env[@]}" $stack start "$@" > /dev/null &
    local launcher=$!
    pending=$#
    while [ "$pending" -gt 0 ]; do
        for name in "$@"; do
            [ -n "${ready_ms[$name]:-}" ] && continue
            if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$(management_port "$name")/health/ready"; then
                ready_ms[$name]=$(( $(now_ms) - start ))
                cpu_at_ready[$name]=$(cpu_seconds "$(cat "$JC_STATE_DIR/pids/$name-service.pid")")
                pending=$((pending - 1))
            elif exited_before_ready "$name"; then
                echo "$variant $name-service exited before it was ready; the end of its log:" >&2
                tail -n 20 "$JC_STATE_DIR/logs/$name-service.log" >&2
                $stack stop "$@" > /dev/null 2>&1 || true
                exit 1
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
        local pid started rss ready classes
        pid=$(cat "$JC_STATE_DIR/pids/$name-service.pid")
        started=$(grep -o 'started in [0-9.]*s' "$JC_STATE_DIR/logs/$name-service.log" | tail -1 | sed 's/started in //; s/s$//')
        rss=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
        classes=$(loaded_classes "$pid")
        ready=$(awk -v ms="${ready_ms[$name]}" 'BEGIN { printf "%.2f", ms / 1000 }')
        printf '%-8s %-8s %-16s started in %7s s   ready after %6.2f s   CPU %5s s   RSS %4d MB   classes %5d   load %s\n' \
            "$variant" "$name" "$LABEL" "$started" "$ready" "${cpu_at_ready[$name]}" "$rss" "$classes" \
            "$(cut -d' ' -f1 /proc/loadavg)"
        echo "$variant|$LABEL|$name|$started|$ready|${cpu_at_ready[$name]}|$rss|$classes" >> "$RESULTS"
    done
    $stack stop "$@"
    sleep 2
}

echo "JAVA_OPTS='${JAVA_OPTS-(unset: the local stack flags)}' on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round"
    for name in "${SERVICES[@]}"; do
        for variant in "${VARIANTS[@]}"; do
            LABEL=alone measure "$variant" "$name"
        done
    done
    for variant in "${VARIANTS[@]}"; do
        LABEL="all four at once" measure "$variant" "${SERVICES[@]}"
    done
done

echo "medians over $ROUNDS rounds (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%-8s %-16s %-8s %10s %8s %7s %7s %8s\n' variant started service started-in ready CPU RSS classes
sort -t'|' -k2,2 -k3,3 -k1,1 "$RESULTS" | awk -F'|' '
    function median(list,   values, n, i, j, t) {
        n = split(list, values, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] + 0 > values[j] + 0; j--) {
            t = values[j]; values[j] = values[j - 1]; values[j - 1] = t
        }
        return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
    }
    {
        key = $1 "|" $2 "|" $3
        if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
        for (f = 4; f <= 8; f++) figures[key, f] = figures[key, f] " " $f
    }
    END {
        for (k = 1; k <= keys; k++) {
            split(order[k], parts, "|")
            printf "%-8s %-16s %-8s %9.2fs %7.2fs %6.1fs %4d MB %8d\n", parts[1], parts[2], parts[3],
                median(figures[order[k], 4]), median(figures[order[k], 5]), median(figures[order[k], 6]),
                median(figures[order[k], 7]), median(figures[order[k], 8])
        }
    }'
