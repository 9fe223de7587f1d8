#!/usr/bin/env bash
# What one gateway hop costs: the same authenticated GET (device-service's GET /api/v1/instances, which reads PostgreSQL
# through PgBouncer) straight to the service with an internal token vs through the gateway with a session token, at fixed
# concurrency with wrk, on loopback. Latency is measured at 1 connection (what one caller pays for the hop), throughput at
# CONNECTIONS; prints req/s, p50 and p99 of both sides and whether each goal of issue 12 is met: p50 <= +0.5 ms and
# p99 <= +2 ms over direct at 1 connection, >= 80% of direct throughput at 32 connections. It also prints the CPU each
# process spent per request in the measured runs (utime + stime from /proc): on a busy machine latency and throughput
# follow the other load, CPU per request much less. Everything it starts (its own
# PostgreSQL/PgBouncer/Redis+Sentinel harness on free ports, the two services) is stopped at the end.
#
#   bench/gateway-hop.sh                 # CONNECTIONS=32 THREADS=2 DURATION=10s WARMUP=5s
#   SKIP_BUILD=1 bench/gateway-hop.sh    # reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
WORK=$(mktemp -d /tmp/jc-bench.XXXXXX)
chmod 755 "$WORK"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
source bench/lib/gateway-over-device.sh
start device-service "$DEVICE_PORT" "$DEVICE_MANAGEMENT_PORT"
# the route table is configuration: a route to the same endpoint the direct side calls
start gateway-service "$GATEWAY_PORT" "$GATEWAY_MANAGEMENT_PORT" -Dgateway.routes.bench.prefix=/api/v1/device-instances \
    -Dgateway.routes.bench.upstream=device-service -Dgateway.routes.bench.rewrite=/api/v1/instances
await_ready
DEVICE_PID=${PIDS[0]}
GATEWAY_PID=${PIDS[1]}

SESSION=$(login)

# an internal token as the gateway mints it (InternalTokenMinter, ES256, 60 s), for the direct calls; minted right before
# each direct run, on the gateway's class path
internal_token() {
    java -cp "$(cat "$ROOT/gateway-service/target/bench.classpath")" "$ROOT/bench/lib/MintToken.java" "$WORK/private.pem"
}

DIRECT_URL="http://127.0.0.1:$DEVICE_PORT/api/v1/instances"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/api/v1/device-instances"
TOKEN=$(internal_token)
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$DIRECT_URL" || { echo "direct call refused" >&2; exit 1; }

curl -fs -o /dev/null -H "Authorization: Bearer $SESSION" "$GATEWAY_URL" || { echo "call through the gateway refused" >&2; exit 1; }

# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() {
    local url=$1 token=$2 out=$3 threads=$4 connections=$5
    wrk -t"$threads" -c"$connections" -d"$WARMUP" -H "Authorization: Bearer $token" "$url" > /dev/null
    local before_gateway before_device
    before_gateway=$(cpu_ticks "$GATEWAY_PID")
    before_device=$(cpu_ticks "$DEVICE_PID")
    wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$url" > "$out"
    echo "cpu-ticks gateway $(( $(cpu_ticks "$GATEWAY_PID") - before_gateway )) device $(( $(cpu_ticks "$DEVICE_PID") - before_device ))" \
        >> "$out"
    grep -E "Requests/sec|50%|99%|Non-2xx" "$out" | sed "s|^|  $(basename "$out" .txt): |"
    if grep -q "Non-2xx" "$out"; then
        echo "non-2xx answers during the run:" >&2
        cat "$out" >&2
        exit 1
    fi
}
echo "wrk: 1 thread, 1 connection, $DURATION per side (after $WARMUP warm-up): latency"
run "$DIRECT_URL" "$(internal_token)" "$WORK/direct-1.txt" 1 1
run "$GATEWAY_URL" "$SESSION" "$WORK/gateway-1.txt" 1 1
echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per side (after $WARMUP warm-up): throughput"
run "$DIRECT_URL" "$(internal_token)" "$WORK/direct.txt" "$THREADS" "$CONNECTIONS"
run "$GATEWAY_URL" "$SESSION" "$WORK/gateway.txt" "$THREADS" "$CONNECTIONS"

if [ "${KEEP:-0}" = 1 ]; then
    curl -fs "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/metrics" | grep -E '^(http_server_requests_seconds_count|gateway_upstream|gateway_credential_cache|gateway_ratelimit)' \
        > "$WORK/gateway-metrics.txt" || true
fi

python3 - "$WORK/direct-1.txt" "$WORK/gateway-1.txt" "$WORK/direct.txt" "$WORK/gateway.txt" "$CONNECTIONS" "$(getconf CLK_TCK)" <<'PY'
import re, sys
tick_ms = 1000 / int(sys.argv[6])
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"\n\s+50%\s+(\S+)", text).group(1))
    p99 = ms(re.search(r"\n\s+99%\s+(\S+)", text).group(1))
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    gateway_ticks, device_ticks = (int(n) for n in re.search(r"cpu-ticks gateway (\d+) device (\d+)", text).groups())
    # CPU milliseconds per request: gateway, device-service
    return rps, p50, p99, gateway_ticks * tick_ms / requests, device_ticks * tick_ms / requests
d1, g1, d, g = (parse(p) for p in sys.argv[1:5])
connections = sys.argv[5]
print(f"{'':22} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/request: gateway':>24} {'device':>7}")
for label, r in (("direct,  1 connection", d1), ("gateway, 1 connection", g1), ("direct,  " + connections + " connections", d),
                 ("gateway, " + connections + " connections", g)):
    print(f"{label:22} {r[0]:>10.0f} {r[1]:>8.2f} {r[2]:>8.2f} {r[3]:>24.3f} {r[4]:>7.3f}")
def verdict(ok):
    return "met" if ok else "NOT met"
p50, p99, share = g1[1] - d1[1], g1[2] - d1[2], 100 * g[0] / d[0]
print(f"goal p50 hop <= +0.5 ms at 1 connection: {p50:+.2f} ms, {verdict(p50 <= 0.5)}")
print(f"goal p99 hop <= +2 ms at 1 connection: {p99:+.2f} ms, {verdict(p99 <= 2.0)}")
print(f"goal >= 80% of direct throughput at {connections} connections: {share:.0f}% ({g[0]:.0f} vs {d[0]:.0f} req/s), "
      f"{verdict(share >= 80)}")
PY
