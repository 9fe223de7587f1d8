#!/usr/bin/env bash
# Fan-out benchmark of the device service: N lab devices (default 1000) in their own JVM, one command each through
# POST /api/v1/devices/commands: first after start, cold (new SSH sessions), three warm rounds (reused). Prints wall time,
# p50/p99 per device, errors, CPU of both JVMs per device and ratios in the run. Loopback only; stops what it started.
#   bench/fanout.sh [devices] [concurrency]
# SKIP_BUILD=1 reuses the last build; SERVICE_JAR=/other/checkout/device-service/target/quarkus-app/quarkus-run.jar runs
# another build of the service against the same lab and bench (before/after); SERVICE_JAVA_OPTS goes to the service's JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
CONCURRENCY=${2:-200}
# packaged, never installed (~/.m2 is shared): the classpath is written in the same reactor, so the project's own
# modules resolve to their target/ jars
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f device-service/target/bench.classpath ]; then
    ./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -pl device-lab,device-service -am \
        -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
CP="$(cat device-service/target/bench.classpath)"
exec java -cp "$CP" bench/FanoutBench.java "$(pwd)" "$DEVICES" "$CONCURRENCY"
