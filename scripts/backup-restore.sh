#!/usr/bin/env bash
# Restores PostgreSQL backups without the services running (the 3 a.m. command): runs the backup service's restore
# command from its packaged jar. Backups are found in the storage itself (BACKUP_DIR or the S3 bucket), never in the
# catalog database; WAL comes from the archive in that storage.
#   scripts/backup-restore.sh list
#   scripts/backup-restore.sh restore --data-dir /srv/pg-restored [--time 2026-12-01T02:30:00Z] [--start [--port 55432]]
#   scripts/backup-restore.sh restore-schema --schema device --data-dir /srv/pg-device [--keep-running]
#   scripts/backup-restore.sh verify --backup latest
# Environment: BACKUP_DIR or BACKUP_S3_* with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, BACKUP_ENCRYPTION_KEY, BACKUP_WORK_DIR,
# BACKUP_PG_BIN_DIR; JAVA (default: java on PATH);
# BACKUP_SERVICE_APP (default: backup-service/target/quarkus-app of this checkout; build it with
#   ./mvnw -pl backup-service -am package -DskipTests).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="${BACKUP_SERVICE_APP:-$root/backup-service/target/quarkus-app}"
if [[ ! -d "$app/lib/main" || ! -d "$app/app" ]]; then
    echo "no packaged backup service in $app: build it with ./mvnw -pl backup-service -am package -DskipTests" >&2
    exit 2
fi
exec "${JAVA:-java}" -cp "$app/app/*:$app/lib/main/*:$app/lib/boot/*" io.junoscommander.backup.restore.RestoreCommand "$@"
