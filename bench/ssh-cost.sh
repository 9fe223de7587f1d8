#!/usr/bin/env bash
# CPU per new SSH session by algorithm (key exchange, host key, cipher, MAC) for the client (a MINA SSHD client like the
# device service's) and the device lab, each in its own JVM; ratios to the pre-issue-13 proposal in the same run.
# Loopback only; stops the lab it started.
#   bench/ssh-cost.sh [sessions per measurement=200] [concurrency=50] [rounds=3] [regex: only the rows it matches]
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${1:-200}
CONCURRENCY=${2:-50}
ROUNDS=${3:-3}
# packaged, never installed (~/.m2 is shared): the classpath is written in the same reactor (see fanout.sh)
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f device-service/target/bench.classpath ]; then
    ./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -pl device-lab,device-service -am \
        -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
exec java -cp "$(cat device-service/target/bench.classpath)" bench/SshCostBench.java "$(pwd)" "$SESSIONS" "$CONCURRENCY" "$ROUNDS" ${4:+"$4"}
