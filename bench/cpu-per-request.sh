#!/usr/bin/env bash
# CPU per request of each service, the figure the Kubernetes CPU requests are sized from (k8s/base/SIZING.md).
# Starts the local stack (scripts/local-stack.sh, its own state directory and ports unless given), warms the JVMs up,
# then drives a stated load through the gateway and reads each service process's utime + stime from /proc/<pid>/stat
# before and after:
#   LOGINS logins, LISTS device-list pages (GET /api/v1/devices?size=50), COMMANDS single-device commands
#   (POST /api/v1/devices/{id}/commands, "show version"), TASKS tasks over every lab device; CONCURRENCY clients at once.
# Prints per service: CPU seconds, the requests it served, CPU milliseconds per request, and the average cores the load
# kept busy. The backup service serves none of it: its line is its idle CPU (heartbeats, WAL receiver, lag checks).
#
#   bench/cpu-per-request.sh                    # LOGINS=50 LISTS=1500 COMMANDS=600 TASKS=3 CONCURRENCY=8 LAB_DEVICES=50
#   SKIP_BUILD=1 bench/cpu-per-request.sh       # reuse the last build
#   KEEP=1 ...                                   # leave the stack running afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGINS=${LOGINS:-50}
LISTS=${LISTS:-1500}
COMMANDS=${COMMANDS:-600}
TASKS=${TASKS:-3}
CONCURRENCY=${CONCURRENCY:-8}
export JC_STATE_DIR=${JC_STATE_DIR:-/var/tmp/jc-cpu-bench}
export LAB_DEVICES=${LAB_DEVICES:-50}
export LAB_BASE_PORT=${LAB_BASE_PORT:-23000} LAB_ADMIN_PORT=${LAB_ADMIN_PORT:-22999}
export GATEWAY_PORT=${GATEWAY_PORT:-18080} DEVICE_PORT=${DEVICE_PORT:-18081} TASK_PORT=${TASK_PORT:-18082}
export BACKUP_PORT=${BACKUP_PORT:-18083} GATEWAY_MANAGEMENT_PORT=${GATEWAY_MANAGEMENT_PORT:-19080}
export DEVICE_MANAGEMENT_PORT=${DEVICE_MANAGEMENT_PORT:-19081} TASK_MANAGEMENT_PORT=${TASK_MANAGEMENT_PORT:-19082}
export BACKUP_MANAGEMENT_PORT=${BACKUP_MANAGEMENT_PORT:-19083}
# the benchmark measures the work, not the limiter's refusals
export RATE_LIMIT_PER_MINUTE=100000000 RATE_LIMIT_BURST=1000000 LOG_LEVEL=${LOG_LEVEL:-WARN}

stop_stack() {
    if [ "${KEEP:-0}" != 1 ]; then
        scripts/local-stack.sh down > /dev/null 2>&1 || true
    fi
}
trap stop_stack EXIT

scripts/local-stack.sh up | tee "$JC_STATE_DIR.up.log" | tail -n 2
password=$(tail -n 1 "$JC_STATE_DIR.up.log" | sed -n 's/.* password: //p')
rm -f "$JC_STATE_DIR.up.log"

pids=""
for name in gateway device task backup; do
    pids="$pids $name=$(cat "$JC_STATE_DIR/pids/$name-service.pid")"
done

python3 - "$GATEWAY_PORT" "$password" "$LOGINS" "$LISTS" "$COMMANDS" "$TASKS" "$CONCURRENCY" $pids <<'PY'
import json, os, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

port, password = sys.argv[1], sys.argv[2]
logins, lists, commands, tasks, concurrency = (int(v) for v in sys.argv[3:8])
pids = dict(arg.split("=") for arg in sys.argv[8:])
base = f"http://127.0.0.1:{port}"
ticks = os.sysconf("SC_CLK_TCK")

def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")

def cpu_seconds(pid):
    # utime and stime (fields 14 and 15) of the whole process, all threads, in clock ticks
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks

def login():
    return call("POST", "/api/v1/auth/login", {"username": "admin", "password": password})["token"]

token = login()
devices = call("GET", "/api/v1/devices?size=1000", token=token)["items"]
ids = [d["id"] for d in devices]
if not ids:
    sys.exit("no lab devices in the inventory")

def run_task(token):
    task = call("POST", "/api/v1/tasks", {"name": "cpu bench", "commands": ["show version"], "target": {"all": True},
                                          "concurrency": 20}, token)
    while True:
        view = call("GET", f"/api/v1/tasks/{task['id']}", token=token)
        if view["state"] in ("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED"):
            return view
        time.sleep(0.5)

def load(scale):
    counts = {"logins": 0, "lists": 0, "commands": 0, "tasks": 0, "task_polls": 0, "task_devices": 0}
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: login(), range(int(logins * scale))))
        counts["logins"] = int(logins * scale)
        list(pool.map(lambda _: call("GET", "/api/v1/devices?size=50", token=token), range(int(lists * scale))))
        counts["lists"] = int(lists * scale)
        list(pool.map(lambda i: call("POST", f"/api/v1/devices/{ids[i % len(ids)]}/commands",
                                     {"commands": ["show version"]}, token), range(int(commands * scale))))
        counts["commands"] = int(commands * scale)
    for _ in range(max(1, int(tasks * scale))):
        polls_before = time.monotonic()
        view = run_task(token)
        counts["tasks"] += 1
        counts["task_devices"] += view["deviceCount"]
        # one poll each 0.5 s while it ran
        counts["task_polls"] += 1 + int((time.monotonic() - polls_before) / 0.5)
    return counts

print(f"warm-up (a fifth of the load, not measured), {len(ids)} lab devices, {concurrency} clients")
load(0.2)
before = {name: cpu_seconds(pid) for name, pid in pids.items()}
started = time.monotonic()
counts = load(1.0)
wall = time.monotonic() - started
after = {name: cpu_seconds(pid) for name, pid in pids.items()}
print(f"load: {counts['logins']} logins, {counts['lists']} device lists, {counts['commands']} commands, "
      f"{counts['tasks']} tasks over {counts['task_devices']} devices ({counts['task_polls']} status polls), "
      f"{wall:.1f} s wall")
gateway_requests = counts["logins"] + counts["lists"] + counts["commands"] + counts["tasks"] + counts["task_polls"]
served = {
    "gateway": (gateway_requests, "request"),
    "device": (counts["lists"] + counts["commands"] + counts["task_devices"], "request (lists, commands, task device runs)"),
    "task": (counts["tasks"] + counts["task_polls"] + counts["task_devices"], "request or task device"),
    "backup": (0, "none: idle CPU"),
}
print(f"{'service':<8} {'cpu s':>8} {'served':>8} {'cpu ms/each':>12} {'avg cores':>10}  unit")
for name in ("gateway", "device", "task", "backup"):
    used = after[name] - before[name]
    count, unit = served[name]
    per = f"{1000 * used / count:.2f}" if count else "-"
    print(f"{name:<8} {used:8.2f} {count:8d} {per:>12} {used / wall:10.3f}  {unit}")
PY
