package io.junoscommander.backup.wal;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import io.junoscommander.backup.run.BackupRunner;
import io.junoscommander.backup.storage.BackupStorage;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code postgres-incremental} ({@code BACKUP_SCHEDULE_INCREMENTAL}): a recovery point on a schedule even when the receiver
 * trails. Switches the server to a new WAL segment, waits until the receiver archived the closed one, and records the WAL
 * range since the previous full or incremental backup, each of its segments re-read from the storage and checked against
 * the SHA-256 recorded when it was archived, and the range checked for gaps.
 */
@ApplicationScoped
public class IncrementalBackupHandler implements BackupHandler {

    private static final Duration ARCHIVE_WAIT = Duration.ofMinutes(2);

    private final BackupCatalog catalog;
    private final ReplicationServer server;
    private final WalArchive archive;
    private final BackupStorage storage;
    private final WalConfig wal;

    IncrementalBackupHandler(BackupCatalog catalog, ReplicationServer server, WalArchive archive, BackupStorage storage, WalConfig wal) {
        this.catalog = catalog;
        this.server = server;
        this.archive = archive;
        this.storage = storage;
        this.wal = wal;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.POSTGRES_INCREMENTAL;
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        if (!wal.enabled()) {
            throw new IllegalStateException("incremental backups need the WAL receiver (BACKUP_WAL_ENABLED=false)");
        }
        OffsetDateTime switchedAt = OffsetDateTime.now(ZoneOffset.UTC);
        String closed = switchWal();
        long segmentSize = server.segmentSize();
        awaitArchived(closed);
        String start = previousEnd().map(end -> WalNames.isSegment(end) ? end
                : WalNames.segmentOf(WalNames.timeline(closed), WalNames.parseLsn(end), segmentSize))
                .or(() -> archive.oldestSegment().map(WalArchive.ArchivedFile::name)).orElse(closed);
        List<WalArchive.ArchivedFile> segments = archive.segmentsBetween(WalNames.position(start), WalNames.position(closed));
        checkNoGaps(segments, start, closed, segmentSize);
        long bytes = 0;
        for (WalArchive.ArchivedFile segment : segments) {
            String actual;
            try (InputStream in = storage.open(segment.storageKey())) {
                actual = BackupJob.sha256(in);
            }
            if (!actual.equals(segment.sha256())) {
                throw new IllegalStateException("archived WAL segment " + segment.name() + " does not match its SHA-256 (stored "
                        + segment.sha256() + ", read " + actual + ")");
            }
            bytes += segment.sizeBytes();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("segments", segments.size());
        details.put("walBytes", bytes);
        details.put("switchedSegment", closed);
        details.put("slot", wal.slot());
        return new BackupResult(true, start, closed, switchedAt, details);
    }

    private String switchWal() {
        try {
            return server.switchWal();
        } catch (RuntimeException e) {
            if (e instanceof PgException pg && "42501".equals(pg.getSqlState())) {
                throw new IllegalStateException("the backup role may not switch WAL segments: a superuser must run GRANT EXECUTE ON"
                        + " FUNCTION pg_switch_wal() TO " + "the backup role (BACKUP_DB_USER)");
            }
            throw e;
        }
    }

    private void awaitArchived(String segment) throws InterruptedException {
        long deadline = System.nanoTime() + ARCHIVE_WAIT.toNanos();
        while (!archive.isArchived(segment)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("WAL segment " + segment + " was not archived within " + ARCHIVE_WAIT.toSeconds()
                        + " s: is the WAL receiver running? (GET /api/v1/backups/wal)");
            }
            Thread.sleep(250);
        }
    }

    /** Where the previous PostgreSQL backup's WAL ended: the newest succeeded full or incremental run. */
    private Optional<String> previousEnd() throws Exception {
        Optional<BackupRun> full = BackupRunner.awaitCatalog(() -> catalog.latest(BackupKind.POSTGRES_FULL, BackupRun.SUCCEEDED));
        Optional<BackupRun> incremental = BackupRunner.awaitCatalog(() -> catalog.latest(BackupKind.POSTGRES_INCREMENTAL,
                BackupRun.SUCCEEDED));
        Optional<BackupRun> previous = full.isEmpty() ? incremental : incremental.isEmpty() ? full
                : Optional.of(full.get().startedAt.isAfter(incremental.get().startedAt) ? full.get() : incremental.get());
        return previous.map(run -> run.walEnd).filter(end -> WalNames.isSegment(end) || WalNames.isLsn(end));
    }

    /** Every segment number from {@code start} to {@code end} archived on some timeline (a switch leaves none missing). */
    private static void checkNoGaps(List<WalArchive.ArchivedFile> segments, String start, String end, long segmentSize) throws IOException {
        TreeSet<Long> present = new TreeSet<>();
        segments.forEach(segment -> present.add(WalNames.number(segment.name(), segmentSize)));
        for (long number = WalNames.number(start, segmentSize); number <= WalNames.number(end, segmentSize); number++) {
            if (!present.contains(number)) {
                String missing = Long.toHexString(number).toUpperCase(java.util.Locale.ROOT);
                throw new IOException("archived WAL has a gap: segment number " + missing + " between " + start + " and " + end
                        + " is missing");
            }
        }
    }
}
