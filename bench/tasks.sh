#!/usr/bin/env bash
# End-to-end task benchmark: N lab devices (default 1000), the device service and two task-service replicas,
# each its own JVM; one task with one command per device. Prints submit-to-final wall time, results per second,
# p50/p99 per device. Loopback only; stops everything it started.
#   bench/tasks.sh [devices] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
CONCURRENCY=${2:-200}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -ntp install -DskipTests -pl service-support,infra-harness,device-lab,device-service,task-service -am
fi
./mvnw -B -q -ntp dependency:build-classpath -pl device-service -Dmdep.includeScope=test -Dmdep.outputFile="$(pwd)/target/bench.classpath"
CP="$(cat target/bench.classpath):$(ls infra-harness/target/infra-harness-*.jar | head -1)"
exec java -cp "$CP" bench/TaskBench.java "$(pwd)" "$DEVICES" "$CONCURRENCY"
