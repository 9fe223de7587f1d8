#!/usr/bin/env bash
# PostgreSQL backup figures on a database of a real size: pgbench -i at SCALE (70 makes about 1 GB) on the test harness's
# PostgreSQL, then a full backup through the backup service's API (copy MB/s, pg_verifybackup, tar+gzip, end to end), a
# restore started on a free port, and the restore drill. Prints the lines starting with "bench:". Everything runs on
# free loopback ports and is stopped at the end. WAL receiver lag and the cost of synchronous mode: bench/wal-sync.sh.
#   bench/backup.sh            # SCALE=70
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-70}
./mvnw -B -ntp verify -pl backup-service -am -DskipITs -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest=PostgresBackupBenchTest -Dbackup.bench.scale="$SCALE" | grep -E '^bench:|BUILD|ERROR' || true
