#!/usr/bin/env bash
# End-to-end task benchmark: N lab devices (default 1000), the device service and two task-service replicas,
# each its own JVM; one task with one command per device, cold and warm, then the device service's own fan-out over the
# same devices (the raw rate). Prints per round wall time, results per second, p50/p99 per device, CPU per result of
# each process and SQL statements, Redis publishes and fan-out calls per result. Loopback only; stops what it started.
#   bench/tasks.sh [devices] [concurrency]
# SKIP_BUILD=1 reuses the last build; TASK_SERVICE_JAR and DEVICE_SERVICE_JAR (another checkout's
# <service>/target/quarkus-app/quarkus-run.jar) run another build of the services against the same bench (before/after);
# SERVICE_JAVA_OPTS goes to the JVMs of the device service and both task replicas.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
CONCURRENCY=${2:-200}
# package, never install (~/.m2 is shared): the classpath is written in the same reactor, so the sibling modules come
# from their target folders; SKIP_BUILD=1 reuses the last build and its classpath
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f device-service/target/bench.classpath ]; then
    ./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -pl service-support,infra-harness,device-lab,device-service,task-service \
        -am -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
CP="$(cat device-service/target/bench.classpath):$(ls infra-harness/target/infra-harness-*.jar | grep -v sources | head -1)"
exec java -cp "$CP" bench/TaskBench.java "$(pwd)" "$DEVICES" "$CONCURRENCY"
