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

source bench/lib/gateway-over-device.sh
start device-service "$DEVICE_PORT" "$DEVICE_MANAGEMENT_PORT"
start gateway-service "$GATEWAY_PORT" "$GATEWAY_MANAGEMENT_PORT" ${GATEWAY_BODY_LIMIT:+-Dgateway.routes.devices.max-body-size=$GATEWAY_BODY_LIMIT}
await_ready

SESSION=$(login)

echo "$HOSTILE hostile clients, $READERS readers, ${SECONDS_RUN}s${GATEWAY_BODY_LIMIT:+ (gateway body limit $GATEWAY_BODY_LIMIT)}"
java bench/HostileLoad.java "$GATEWAY_PORT" "$SESSION" "$HOSTILE" "$READERS" "$SECONDS_RUN"
echo "device-service unexpected errors: $(grep -c 'unexpected error' "$WORK/device-service.log" || true)"
