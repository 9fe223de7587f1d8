#!/usr/bin/env bash
# Brings docker-compose.yml up for real and checks it end to end (not part of CI; needs root for dockerd):
#   1. builds every image it needs (scripts/images.sh; SKIP_BUILD=1 reuses service images already built),
#   2. writes fresh secrets (scripts/compose-secrets.sh) into its own state folder,
#   3. starts the topology (Grafana only when its image is present: it is not buildable here) and waits until every
#      container is healthy, printing each one's time to healthy,
#   4. logs in through the gateway, puts the device lab into the inventory, runs a command on a lab device and a task
#      over all Junos lab devices, prints the results; checks that Prometheus scrapes the four services; runs a full
#      PostgreSQL backup and a restore drill (the backup image's PostgreSQL binaries) and shows the WAL receiver,
#   5. prints the image sizes and tears everything down, volumes included (also on failure or Ctrl-C; KEEP_UP=1 leaves
#      the topology running and prints how to stop it).
#
# The monitoring files come from k8s/monitoring/ (JC_MONITORING_DIR overrides). Published on loopback: the gateway
# (GATEWAY_PUBLISHED_PORT) and Prometheus (PROMETHEUS_PUBLISHED_PORT), free ports by default.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/common.sh
source scripts/lib/docker.sh

STATE_DIR=${JC_COMPOSE_STATE_DIR:-/var/tmp/jc-compose-smoke}
PROJECT=${COMPOSE_PROJECT:-jcsmoke}
HEALTHY_TIMEOUT=${HEALTHY_TIMEOUT:-600}
export JC_MONITORING_DIR=${JC_MONITORING_DIR:-$ROOT/k8s/monitoring}
export JC_SECRETS_DIR="$STATE_DIR/secrets"

for file in prometheus/prometheus-compose.yml prometheus/rules.yml; do
    if [ ! -s "$JC_MONITORING_DIR/$file" ]; then
        echo "missing $JC_MONITORING_DIR/$file (Prometheus's scrape config and rules; set JC_MONITORING_DIR)" >&2
        exit 1
    fi
done

ensure_packages curl openssl python3
ensure_docker
scripts/images.sh all

compose() {
    docker-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

teardown() {
    local status=$?
    if [ "${KEEP_UP:-0}" = 1 ]; then
        echo "KEEP_UP=1: left running; stop with: JC_SECRETS_DIR=$JC_SECRETS_DIR JC_MONITORING_DIR=$JC_MONITORING_DIR" \
            "docker-compose -p $PROJECT down -v"
        return
    fi
    echo "tearing down (docker-compose down -v)..."
    compose down -v --remove-orphans --timeout 50 >/dev/null 2>&1 || true
    # the secrets belonged to containers that are gone
    rm -rf "$JC_SECRETS_DIR"
    exit "$status"
}

rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
scripts/compose-secrets.sh "$JC_SECRETS_DIR" >/dev/null
export GATEWAY_PUBLISHED_PORT=${GATEWAY_PUBLISHED_PORT:-$(free_port)}
export PROMETHEUS_PUBLISHED_PORT=${PROMETHEUS_PUBLISHED_PORT:-$(free_port)}
export GRAFANA_PUBLISHED_PORT=${GRAFANA_PUBLISHED_PORT:-$(free_port)}

mapfile -t SERVICES < <(compose config --services)
if ! image_present grafana/grafana:11.3.0; then
    echo "grafana/grafana:11.3.0 is not in the daemon (no registry here): starting everything but grafana"
    mapfile -t SERVICES < <(printf '%s\n' "${SERVICES[@]}" | grep -vx grafana)
fi

trap teardown EXIT
trap 'exit 130' INT TERM
# what a killed earlier run (or KEEP_UP=1) left behind would otherwise be reused with its old volumes
compose down -v --remove-orphans --timeout 50 >/dev/null 2>&1 || true

# "<service> <status>" of this project's containers, one docker call (docker-compose ps is too slow to poll every second)
container_states() {
    docker ps -a --filter "label=com.docker.compose.project=$PROJECT" \
        --format '{{.Label "com.docker.compose.service"}} {{.Status}}'
}

started=$SECONDS
echo "docker-compose up: ${SERVICES[*]}"
# up itself waits for each healthcheck a depends_on names before it starts the dependant; meanwhile the loop below
# notes when each container turns healthy
compose up -d --no-build "${SERVICES[@]}" > "$STATE_DIR/up.log" 2>&1 &
up_pid=$!
up_status=
declare -A healthy_after=()
deadline=$((SECONDS + HEALTHY_TIMEOUT))
while [ ${#healthy_after[@]} -lt ${#SERVICES[@]} ]; do
    while read -r name status; do
        if [ -z "${healthy_after[$name]:-}" ] && [[ "$status" == *"(healthy)"* ]]; then
            healthy_after[$name]=$((SECONDS - started))
            printf '  %-18s healthy after %4d s\n' "$name" "${healthy_after[$name]}"
        fi
    done < <(container_states)
    if [ -z "$up_status" ] && ! kill -0 "$up_pid" 2>/dev/null; then
        up_status=0
        wait "$up_pid" || up_status=$?
    fi
    if [ "${up_status:-0}" != 0 ] || [ $SECONDS -ge $deadline ]; then
        if [ "${up_status:-0}" != 0 ]; then
            echo "docker-compose up failed:" >&2
            grep -v '^Creating\|^Starting' "$STATE_DIR/up.log" >&2
        fi
        echo "not healthy after $((SECONDS - started)) s:" >&2
        for name in "${SERVICES[@]}"; do
            if [ -z "${healthy_after[$name]:-}" ]; then
                echo "--- $name (last log lines)" >&2
                compose logs --no-color --tail 40 "$name" >&2 || true
            fi
        done
        exit 1
    fi
    sleep 1
done
[ -n "$up_status" ] || wait "$up_pid"
echo "all ${#SERVICES[@]} containers healthy after $((SECONDS - started)) s"
docker stats --no-stream --format '  {{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}' \
    $(docker ps -q --filter "label=com.docker.compose.project=$PROJECT") | sed "s/${PROJECT}_//; s/_1\t/\t/" | sort

GATEWAY="http://127.0.0.1:$GATEWAY_PUBLISHED_PORT"
ADMIN_PASSWORD=$(sed -n 's/^ADMIN_PASSWORD=//p' "$JC_SECRETS_DIR/admin.env")

# $1 method, $2 path, $3 body (optional); prints the body, fails on a status outside 2xx
api() {
    local method=$1 path=$2 body=${3:-}
    local args=(-sS --max-time 120 -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'
        -w '\n%{http_code}')
    [ -n "$body" ] && args+=(--data-binary "$body")
    local answer status
    answer=$(curl "${args[@]}" "$GATEWAY$path")
    status=${answer##*$'\n'}
    answer=${answer%$'\n'*}
    if [ "${status:0:1}" != 2 ]; then
        echo "$method $path: HTTP $status $answer" >&2
        return 1
    fi
    printf '%s' "$answer"
}

json() {
    python3 -c "import json, sys; data = json.load(sys.stdin); print($1)"
}

echo "login through the gateway ($GATEWAY)"
TOKEN=$(curl -sS --fail-with-body --max-time 30 -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$GATEWAY/api/v1/auth/login" | json 'data["token"]')
api GET /api/v1/auth/me | json '"  logged in as %s (%s)" % (data["username"], data["role"])'

echo "device lab into the inventory (credential 'lab', devices at host device-lab)"
inventory=$(compose exec -T device-lab cat /tmp/inventory.json)
login=$(printf '%s' "$inventory" | json 'json.dumps({"name": "lab", "username": data[0]["username"], "password": data[0]["password"]})')
api POST /api/v1/credentials "$login" >/dev/null
devices=$(printf '%s' "$inventory" | json 'json.dumps([{"name": d["name"], "host": "device-lab", "port": d["port"],
    "platform": d["platform"], "site": d.get("site"), "tags": d.get("tags", []), "credentialName": "lab"} for d in data])')
api POST '/api/v1/devices/import?updateExisting=true' "$devices" | json '"  imported %s devices" % data["imported"]'

device_id=$(api GET '/api/v1/devices?namePrefix=lab-r0001' | json 'data["items"][0]["id"]')
echo "command on lab-r0001: show version"
api POST "/api/v1/devices/$device_id/commands" '{"commands":["show version"],"timeoutSeconds":30}' \
    | json '"  ok=%s %s\n" % (data["ok"], data.get("error", "")) + "\n".join("  exit %s in %s ms%s\n%s" % (r.get("exitStatus"),
        r.get("durationMs"), (" error " + str(r.get("errorKind"))) if r.get("errorKind") else "", "\n".join("    | " + l
        for l in (r.get("output") or "").splitlines()[:6])) for r in data.get("results", []))' \
    | tee "$STATE_DIR/command.txt"
if ! grep -q '^  exit 0 ' "$STATE_DIR/command.txt"; then
    echo "the command did not succeed" >&2
    exit 1
fi

echo "task over every Junos lab device: show system uptime"
task_id=$(api POST /api/v1/tasks '{"name":"compose smoke","commands":["show system uptime"],"target":{"platform":"junos"},
    "concurrency":10,"perDeviceTimeoutSeconds":60}' | json 'data["id"]')
task_deadline=$((SECONDS + 180))
while :; do
    task=$(api GET "/api/v1/tasks/$task_id")
    state=$(printf '%s' "$task" | json 'data["state"]')
    case "$state" in
        SUCCEEDED | FAILED | PARTIAL | CANCELLED) break ;;
    esac
    if [ $SECONDS -ge $task_deadline ]; then
        echo "task $task_id still $state after 180 s" >&2
        exit 1
    fi
    sleep 1
done
printf '%s' "$task" | json '"  task %s: %s, %d devices, counts %s" % (data["id"], data["state"], data["deviceCount"], data["counts"])'
if [ "$state" != SUCCEEDED ]; then
    api GET "/api/v1/tasks/$task_id/results" >&2 || true
    exit 1
fi

echo "Prometheus scrapes the four services' management ports"
prometheus_deadline=$((SECONDS + 60))
until curl -fsS "http://127.0.0.1:$PROMETHEUS_PUBLISHED_PORT/api/v1/query?query=up" > "$STATE_DIR/up.json" \
        && [ "$(json 'sum(1 for r in data["data"]["result"] if r["metric"]["job"].endswith("-service") and r["value"][1] == "1")' \
            < "$STATE_DIR/up.json")" = 4 ]; do
    if [ $SECONDS -ge $prometheus_deadline ]; then
        echo "Prometheus does not see all four services up:" >&2
        cat "$STATE_DIR/up.json" >&2
        exit 1
    fi
    sleep 2
done
json '"\n".join("  up{job=%s} = %s" % (r["metric"]["job"], r["value"][1]) for r in data["data"]["result"])' < "$STATE_DIR/up.json"

# $1: kind; runs it through the gateway and waits until it ends, fails unless it succeeded
backup_run() {
    local kind=$1 id run status
    id=$(api POST /api/v1/backups "{\"kind\":\"$kind\"}" | json 'data["id"]')
    local backup_deadline=$((SECONDS + 300))
    while :; do
        run=$(api GET "/api/v1/backups/$id")
        status=$(printf '%s' "$run" | json 'data["status"]')
        [ "$status" != running ] && break
        if [ $SECONDS -ge $backup_deadline ]; then
            echo "backup $kind $id still running after 300 s" >&2
            return 1
        fi
        sleep 2
    done
    printf '%s' "$run" | json '"  %s %s in %s ms, %s bytes, verified %s%s" % (data["kind"], data["status"], data.get("durationMs"),
        data.get("sizeBytes"), data.get("verified"), (", error: " + data["error"]) if data.get("error") else "")'
    [ "$status" = succeeded ]
}

echo "backups with the binaries of the backup image (pg_basebackup + pg_verifybackup; restore drill: initdb, pg_ctl, postgres)"
backup_run postgres-full
backup_run restore-drill
api GET /api/v1/backups/wal | json '"  WAL receiver: running %s, state %s, last segment %s" % (data["running"], data["state"],
    data.get("lastSegment"))'

echo "smoke passed: every container healthy $(printf '%s\n' "${healthy_after[@]}" | sort -n | tail -1) s after docker-compose up"
scripts/images.sh sizes
