package io.junoscommander.backup.restore;

import io.junoscommander.backup.postgres.Archives;
import io.junoscommander.backup.postgres.PgTools;
import io.junoscommander.backup.postgres.PostgresFullBackup;
import io.junoscommander.backup.postgres.PostgresLogicalBackup;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.storage.BackupStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Re-reads every stored object of a backup and compares its SHA-256 with the record; a full backup is then unpacked and
 * checked with {@code pg_verifybackup}, a logical one read with {@code pg_restore --list}. The first problem is named.
 */
public final class BackupVerifier {

    private static final Duration TOOL_TIMEOUT = Duration.ofHours(6);

    private final PgTools tools;
    private final BackupStorage storage;
    private final Path workDir;

    public BackupVerifier(PgTools tools, BackupStorage storage, Path workDir) {
        this.tools = tools;
        this.storage = storage;
        this.workDir = workDir;
    }

    /** The outcome: verified or not, the error naming the object, the objects read and how long it took. */
    public record Report(boolean verified, String error, List<String> checked, double seconds) {
    }

    /** {@code sumsChecksum}: the SHA-256 of the run's {@code SHA256SUMS} as the catalog recorded it (null when unknown). */
    public Report verify(BackupDescriptor backup, String sumsChecksum) throws IOException {
        long start = System.nanoTime();
        List<String> checked = new ArrayList<>();
        Path scratch = Files.createDirectories(workDir.resolve("verify-" + UUID.randomUUID()));
        try {
            if (sumsChecksum != null) {
                String actual = sha256OrMissing(backup.location() + BackupJob.CHECKSUMS);
                checked.add(BackupJob.CHECKSUMS);
                if (!sumsChecksum.equals(actual)) {
                    return failed(BackupJob.CHECKSUMS + ": " + (actual == null ? "missing" : "SHA-256 " + actual
                            + " differs from the recorded " + sumsChecksum), checked, start);
                }
            }
            for (BackupDescriptor.FileEntry file : backup.files()) {
                checked.add(file.name());
                boolean keep = needsContent(backup, file.name());
                try {
                    if (keep) {
                        ObjectFetcher.fetch(storage, backup, file.name(), scratch.resolve(file.name()));
                    } else {
                        String actual = ObjectFetcher.sha256Of(storage, backup.location() + file.name());
                        if (!actual.equals(file.sha256())) {
                            return failed(file.name() + ": SHA-256 " + actual + " differs from the recorded " + file.sha256(), checked,
                                    start);
                        }
                    }
                } catch (NoSuchFileException e) {
                    return failed(file.name() + ": missing from the storage", checked, start);
                } catch (ObjectFetcher.CorruptObjectException e) {
                    return failed(e.getMessage(), checked, start);
                }
            }
            String contentError = verifyContent(backup, scratch);
            return contentError == null ? new Report(true, null, checked, seconds(start)) : failed(contentError, checked, start);
        } finally {
            ScratchServer.deleteTree(scratch);
        }
    }

    private String verifyContent(BackupDescriptor backup, Path scratch) {
        try {
            if ("postgres-full".equals(backup.kind())) {
                Path data = Files.createDirectories(scratch.resolve("data"));
                Archives.unpack(tools, scratch.resolve(PostgresFullBackup.ARCHIVE), data);
                tools.run(List.of(tools.bin("pg_verifybackup"), "-m", scratch.resolve(PostgresFullBackup.MANIFEST).toString(),
                        data.toString()), Map.of(), TOOL_TIMEOUT);
            } else if ("postgres-logical".equals(backup.kind())) {
                for (BackupDescriptor.FileEntry file : backup.files()) {
                    if (file.name().endsWith(PostgresLogicalBackup.SUFFIX)) {
                        tools.run(List.of(tools.bin("pg_restore"), "--list", scratch.resolve(file.name()).toString()), Map.of(),
                                TOOL_TIMEOUT);
                    }
                }
            }
            return null;
        } catch (RuntimeException | IOException e) {
            return e.getMessage();
        }
    }

    private static boolean needsContent(BackupDescriptor backup, String name) {
        return "postgres-full".equals(backup.kind())
                && (PostgresFullBackup.ARCHIVE.equals(name) || PostgresFullBackup.MANIFEST.equals(name))
                || "postgres-logical".equals(backup.kind()) && name.endsWith(PostgresLogicalBackup.SUFFIX);
    }

    private String sha256OrMissing(String key) throws IOException {
        try {
            return ObjectFetcher.sha256Of(storage, key);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Report failed(String error, List<String> checked, long start) {
        return new Report(false, error, checked, seconds(start));
    }

    private static double seconds(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
    }
}
