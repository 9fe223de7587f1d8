package io.junoscommander.backup.wal;

import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.support.config.ServiceIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The archived WAL: objects under {@code wal/} in the storage, and a row per archived file with its SHA-256 in
 * {@code wal_segment}. Blocking methods run on worker threads; the {@code Uni} ones serve the API.
 */
@ApplicationScoped
public class WalArchive {

    /** Key prefix of archived WAL in the storage. */
    public static final String PREFIX = "wal/";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final BackupStorage storage;
    private final Pool database;
    private final String table;
    private final String instanceId;

    WalArchive(BackupStorage storage, Pool database, ServiceIdentity identity) {
        this.storage = storage;
        this.database = database;
        this.table = "\"" + identity.schema() + "\".wal_segment";
        this.instanceId = identity.instanceId();
    }

    /** One archived file as the catalog knows it. */
    public record ArchivedFile(String name, int timeline, Long segmentNumber, long sizeBytes, String sha256, String storageKey,
            OffsetDateTime archivedAt, String archivedBy) {
    }

    public static String key(String name) {
        return PREFIX + name;
    }

    /**
     * Copies a completed segment or history file to the storage and records its SHA-256; a file archived already (by this
     * replica before a restart, or by the previous holder of a shared receiver directory) is recorded once.
     */
    public ArchivedFile archive(Path file) throws IOException {
        String name = file.getFileName().toString();
        long size = Files.size(file);
        String sha256 = BackupJob.sha256(file);
        storage.put(key(name), file);
        Long number = WalNames.isSegment(name) ? WalNames.number(name, size) : null;
        ReceiverLease.withoutStandbyWait(database, connection -> connection.preparedQuery("INSERT INTO " + table
                + " (name, timeline, segment_number, size_bytes, sha256, storage_key, archived_at, archived_by)"
                + " VALUES ($1, $2, $3, $4, $5, $6, now(), $7) ON CONFLICT (name) DO UPDATE SET"
                + " size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, archived_at = EXCLUDED.archived_at,"
                + " archived_by = EXCLUDED.archived_by")
                .execute(Tuple.tuple().addValue(name).addValue(WalNames.timeline(name)).addValue(number).addValue(size).addValue(sha256)
                        .addValue(key(name)).addValue(instanceId)))
                .await().atMost(TIMEOUT);
        return new ArchivedFile(name, WalNames.timeline(name), number, size, sha256, key(name), OffsetDateTime.now(), instanceId);
    }

    public boolean isArchived(String name) {
        return database.preparedQuery("SELECT 1 FROM " + table + " WHERE name = $1").execute(Tuple.of(name)).await().atMost(TIMEOUT)
                .iterator().hasNext();
    }

    /** Archived segments (no history files) from {@code fromPosition} to {@code toPosition} (inclusive), in stream order. */
    public List<ArchivedFile> segmentsBetween(String fromPosition, String toPosition) {
        List<ArchivedFile> files = new ArrayList<>();
        for (Row row : database.preparedQuery("SELECT * FROM " + table + " WHERE segment_number IS NOT NULL"
                + " AND substr(name, 9) BETWEEN $1 AND $2 ORDER BY substr(name, 9), timeline").execute(Tuple.of(fromPosition, toPosition))
                .await().atMost(TIMEOUT)) {
            files.add(of(row));
        }
        return files;
    }

    /** The oldest archived segment, if any. */
    public Optional<ArchivedFile> oldestSegment() {
        return single("SELECT * FROM " + table + " WHERE segment_number IS NOT NULL ORDER BY substr(name, 9), timeline LIMIT 1");
    }

    /** Every archived segment before {@code position} in the stream, on any timeline (history files are never listed). */
    public List<ArchivedFile> segmentsBefore(String position) {
        List<ArchivedFile> files = new ArrayList<>();
        for (Row row : database.preparedQuery("SELECT * FROM " + table + " WHERE segment_number IS NOT NULL AND substr(name, 9) < $1"
                + " ORDER BY substr(name, 9)").execute(Tuple.of(position)).await().atMost(TIMEOUT)) {
            files.add(of(row));
        }
        return files;
    }

    /** Removes an archived file from the storage and the catalog. */
    public void delete(ArchivedFile file) throws IOException {
        storage.delete(file.storageKey());
        database.preparedQuery("DELETE FROM " + table + " WHERE name = $1").execute(Tuple.of(file.name())).await().atMost(TIMEOUT);
    }

    /** The newest archived segment, for the API. */
    public Uni<Optional<ArchivedFile>> newestSegment() {
        return database.preparedQuery("SELECT * FROM " + table + " WHERE segment_number IS NOT NULL ORDER BY substr(name, 9) DESC,"
                + " timeline DESC LIMIT 1").execute().map(rows -> rows.iterator().hasNext()
                        ? Optional.of(of(rows.iterator().next())) : Optional.<ArchivedFile>empty());
    }

    private Optional<ArchivedFile> single(String sql) {
        var rows = database.preparedQuery(sql).execute().await().atMost(TIMEOUT);
        return rows.iterator().hasNext() ? Optional.of(of(rows.iterator().next())) : Optional.empty();
    }

    private static ArchivedFile of(Row row) {
        return new ArchivedFile(row.getString("name"), row.getInteger("timeline"), row.getLong("segment_number"), row.getLong("size_bytes"),
                row.getString("sha256"), row.getString("storage_key"), row.getOffsetDateTime("archived_at"), row.getString("archived_by"));
    }
}
