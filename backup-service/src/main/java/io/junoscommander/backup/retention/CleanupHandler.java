package io.junoscommander.backup.retention;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.backup.wal.ReplicationServer;
import io.junoscommander.backup.wal.WalArchive;
import io.junoscommander.backup.wal.WalNames;
import io.junoscommander.support.config.ServiceIdentity;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@code cleanup} ({@code BACKUP_SCHEDULE_CLEANUP}): deletes backup runs (catalog rows and stored objects) that started
 * before the {@code BACKUP_RETENTION_DAYS} window, failed ones included, but never the newest verified full PostgreSQL
 * backup; deletes archived WAL before the oldest retained full backup's start (on every timeline: a restore from a base
 * backup never reads WAL from before it; history files stay); then lets every {@link RetentionParticipant} prune. "Now"
 * is the database's clock, like the runs' start times.
 */
@ApplicationScoped
public class CleanupHandler implements BackupHandler {

    private static final Logger LOG = Logger.getLogger(CleanupHandler.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final BackupConfig config;
    private final BackupStorage storage;
    private final WalArchive archive;
    private final ReplicationServer server;
    private final Pool database;
    private final String runs;
    private final Instance<RetentionParticipant> participants;

    CleanupHandler(BackupConfig config, BackupStorage storage, WalArchive archive, ReplicationServer server, Pool database,
            ServiceIdentity identity, Instance<RetentionParticipant> participants) {
        this.config = config;
        this.storage = storage;
        this.archive = archive;
        this.server = server;
        this.database = database;
        this.runs = "\"" + identity.schema() + "\".backup_run";
        this.participants = participants;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.CLEANUP;
    }

    /** A run as retention sees it. */
    private record Run(UUID id, String kind, String status, boolean verified, String location, String walStart, OffsetDateTime startedAt,
            boolean expired) {
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        Row clock = database.preparedQuery("SELECT now() AS now, now() - make_interval(days => $1) AS cutoff")
                .execute(Tuple.of(config.retentionDays())).await().atMost(TIMEOUT).iterator().next();
        Instant now = clock.getOffsetDateTime("now").toInstant();
        Instant cutoff = clock.getOffsetDateTime("cutoff").toInstant();
        List<Run> all = new ArrayList<>();
        String query = "SELECT id, kind, status, verified, location, wal_start, started_at, started_at < $1 AS expired FROM " + runs
                + " WHERE status <> $2 AND id <> $3 ORDER BY started_at";
        Tuple arguments = Tuple.of(cutoff.atOffset(java.time.ZoneOffset.UTC), BackupRun.RUNNING, job.id());
        for (Row row : database.preparedQuery(query).execute(arguments).await().atMost(TIMEOUT)) {
            all.add(new Run(row.getUUID("id"), row.getString("kind"), row.getString("status"), row.getBoolean("verified"),
                    row.getString("location"), row.getString("wal_start"), row.getOffsetDateTime("started_at"), row.getBoolean("expired")));
        }
        Optional<Run> keptFull = all.stream().filter(run -> isFull(run) && run.verified() && BackupRun.SUCCEEDED.equals(run.status()))
                .reduce((older, newer) -> newer);
        List<Run> expired = all.stream().filter(Run::expired).filter(run -> keptFull.map(kept -> !kept.id().equals(run.id())).orElse(true))
                .toList();
        int objects = 0;
        for (Run run : expired) {
            objects += deleteObjects(run);
            database.preparedQuery("DELETE FROM " + runs + " WHERE id = $1").execute(Tuple.of(run.id())).await().atMost(TIMEOUT);
            LOG.infof("retention: deleted %s backup %s of %s (%s)", run.kind(), run.id(), run.startedAt(), run.status());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("retentionDays", config.retentionDays());
        details.put("cutoff", cutoff.toString());
        details.put("deletedRuns", expired.size());
        details.put("deletedObjects", objects);
        keptFull.ifPresent(kept -> details.put("newestVerifiedFull", kept.id().toString()));
        pruneWal(all.stream().filter(run -> !expired.contains(run)).toList(), details);
        for (RetentionParticipant participant : participants) {
            details.put(participant.name(), participant.prune(now, cutoff));
        }
        return new BackupResult(true, null, null, null, details);
    }

    /** Archived WAL before the oldest retained full backup's start is needed by no restore; none is deleted without one. */
    private void pruneWal(List<Run> retained, Map<String, Object> details) throws IOException {
        long segmentSize = segmentSize();
        Optional<String> keepFrom = retained.stream().filter(run -> isFull(run) && BackupRun.SUCCEEDED.equals(run.status()))
                .map(Run::walStart).filter(start -> start != null && (WalNames.isSegment(start) || WalNames.isLsn(start)))
                .map(start -> WalNames.positionOf(start, segmentSize)).min(String::compareTo);
        if (keepFrom.isEmpty()) {
            details.put("deletedWalSegments", 0);
            return;
        }
        int deleted = 0;
        for (WalArchive.ArchivedFile segment : archive.segmentsBefore(keepFrom.get())) {
            archive.delete(segment);
            deleted++;
        }
        // partial copies of segments that were completed long ago are stale as well
        for (BackupStorage.StoredObject object : storage.list(WalArchive.PREFIX)) {
            String name = object.key().substring(WalArchive.PREFIX.length());
            if (WalNames.isPartial(name) && WalNames.position(WalNames.withoutPartialSuffix(name)).compareTo(keepFrom.get()) < 0) {
                storage.delete(object.key());
            }
        }
        details.put("deletedWalSegments", deleted);
        details.put("walKeptFrom", keepFrom.get());
    }

    private int deleteObjects(Run run) throws IOException {
        if (run.location() == null || run.location().isBlank() || !run.location().endsWith("/")) {
            return 0;
        }
        int count = 0;
        for (BackupStorage.StoredObject object : storage.list(run.location())) {
            storage.delete(object.key());
            count++;
        }
        return count;
    }

    private long segmentSize() {
        try {
            return server.segmentSize();
        } catch (RuntimeException e) {
            return server.segmentSizeOrDefault();
        }
    }

    private static boolean isFull(Run run) {
        return BackupKind.POSTGRES_FULL.wireName().equals(run.kind());
    }
}
