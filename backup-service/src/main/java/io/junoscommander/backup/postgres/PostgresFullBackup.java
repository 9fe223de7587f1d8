package io.junoscommander.backup.postgres;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.restore.BackupDescriptor;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A full physical backup: {@code pg_basebackup} over the replication protocol into the scratch directory (plain format,
 * because PostgreSQL 15's {@code pg_verifybackup} reads only plain backups), proven with {@code pg_verifybackup}, then
 * packed as {@code base.tar.gz} with the manifest and a {@code backup.json} descriptor beside it.
 */
@ApplicationScoped
public class PostgresFullBackup implements BackupHandler {

    public static final String ARCHIVE = "base.tar.gz";
    public static final String MANIFEST = "backup_manifest";
    static final Duration BACKUP_TIMEOUT = Duration.ofHours(6);
    private static final Logger LOG = Logger.getLogger(PostgresFullBackup.class);

    private final BackupConfig config;

    PostgresFullBackup(BackupConfig config) {
        this.config = config;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.POSTGRES_FULL;
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        PgTools tools = PgTools.locate(config.postgres().binDir());
        PgConnection connection = PgConnection.of(config.postgres());
        OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
        // counted before the copy starts: every row counted here is in the backup unless deleted meanwhile
        DatabaseFacts facts = DatabaseFacts.read(tools, connection);

        Path data = job.workDir().resolve("base");
        long copyStart = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(tools.bin("pg_basebackup")));
        command.addAll(connection.arguments());
        command.addAll(List.of("-D", data.toString(), "-Fp", "-X", "stream", "-c", "fast", "--manifest-checksums=SHA256",
                "--no-sync", "-l", "junoscommander " + job.id()));
        tools.run(command, connection.environment(), BACKUP_TIMEOUT);
        double copySeconds = seconds(copyStart);
        // the server's clock once the copy is done: recovery can stop at any commit from here on
        OffsetDateTime consistentAt = DatabaseFacts.serverTime(tools, connection);

        long verifyStart = System.nanoTime();
        tools.run(List.of(tools.bin("pg_verifybackup"), data.toString()), Map.of(), BACKUP_TIMEOUT);
        double verifySeconds = seconds(verifyStart);
        WalPositions wal = WalPositions.read(data, facts.walSegmentSize());
        long copiedBytes = treeSize(data);

        long packStart = System.nanoTime();
        Path archive = job.workDir().resolve(ARCHIVE);
        Archives.pack(tools, data, archive);
        double packSeconds = seconds(packStart);
        job.store(MANIFEST, data.resolve(MANIFEST));
        job.store(ARCHIVE, archive);

        Map<String, Object> details = new LinkedHashMap<>(facts.asDetails());
        details.put("database", connection.database());
        details.put("label", "junoscommander " + job.id());
        details.put("timeline", wal.timeline());
        details.put("startLsn", wal.startLsn());
        details.put("endLsn", wal.endLsn());
        details.put("walSegmentSize", facts.walSegmentSize());
        details.put("copiedBytes", copiedBytes);
        details.put("archiveBytes", Files.size(archive));
        details.put("copySeconds", round(copySeconds));
        details.put("verifySeconds", round(verifySeconds));
        details.put("packSeconds", round(packSeconds));
        details.put("mbPerSecond", round(copiedBytes / 1_048_576.0 / Math.max(copySeconds, 0.001)));
        details.put("endToEndMbPerSecond", round(copiedBytes / 1_048_576.0 / Math.max(seconds(copyStart), 0.001)));
        BackupResult result = new BackupResult(true, wal.startSegment(), wal.endSegment(), consistentAt, details);
        storeDescriptor(job, startedAt, result);
        LOG.infof("full backup %s: %d MB copied at %.1f MB/s, verified in %.1f s, packed in %.1f s", job.id(), copiedBytes / 1_048_576,
                details.get("mbPerSecond"), verifySeconds, packSeconds);
        return result;
    }

    /** Writes {@code backup.json}: the run as a restore needs it, so the storage alone is enough to restore. */
    public static void storeDescriptor(BackupJob job, OffsetDateTime startedAt, BackupResult result) throws IOException {
        BackupDescriptor descriptor = new BackupDescriptor(BackupDescriptor.FORMAT, job.id(), job.location().split("/")[0],
                job.location(), startedAt, result.consistentAt(), result.verified(), result.walStart(), result.walEnd(),
                job.files().stream().map(f -> new BackupDescriptor.FileEntry(f.name, f.sizeBytes, f.sha256)).toList(), result.details());
        Path file = job.workDir().resolve(BackupDescriptor.OBJECT_NAME);
        descriptor.write(file);
        job.store(BackupDescriptor.OBJECT_NAME, file);
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static long treeSize(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
