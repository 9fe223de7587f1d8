#!/usr/bin/env bash
# Fan-out benchmark of the device service: N lab devices (default 1000) in their own JVM, one command each through
# POST /api/v1/devices/commands, cold (new SSH sessions) then warm (reused). Prints wall time, p50/p99 per device,
# errors and the CPU seconds of both JVMs. Loopback only; stops everything it started.
#   bench/fanout.sh [devices] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
CONCURRENCY=${2:-200}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -ntp install -DskipTests -pl service-support,infra-harness,device-lab,device-service -am
fi
./mvnw -B -q -ntp dependency:build-classpath -pl device-service -Dmdep.includeScope=test -Dmdep.outputFile="$(pwd)/target/bench.classpath"
CP="$(cat target/bench.classpath):$(ls infra-harness/target/infra-harness-*.jar | head -1)"
exec java -cp "$CP" bench/FanoutBench.java "$(pwd)" "$DEVICES" "$CONCURRENCY"
