package io.junoscommander.backup.restore;

import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL backups found in the storage itself, without the catalog database: each run's {@code backup.json}, checked
 * against the run's {@code SHA256SUMS}. What the operator's restore command lists and restores from.
 */
public final class StoredBackups {

    public static final List<String> KINDS = List.of("postgres-full", "postgres-logical");

    private final BackupStorage storage;

    public StoredBackups(BackupStorage storage) {
        this.storage = storage;
    }

    /** Every complete PostgreSQL backup in the storage, newest first; runs without a readable, matching descriptor are skipped. */
    public List<BackupDescriptor> list() throws IOException {
        List<BackupDescriptor> found = new ArrayList<>();
        for (String kind : KINDS) {
            for (BackupStorage.StoredObject object : storage.list(kind + "/")) {
                if (!object.key().endsWith("/" + BackupDescriptor.OBJECT_NAME)) {
                    continue;
                }
                String location = object.key().substring(0, object.key().length() - BackupDescriptor.OBJECT_NAME.length());
                readChecked(location).ifPresent(found::add);
            }
        }
        found.sort(Comparator.comparing(BackupDescriptor::startedAt).reversed());
        return found;
    }

    /** {@code id} is a backup id (or its first characters) or {@code latest}: the newest verified backup of {@code kind}. */
    public Optional<BackupDescriptor> find(String id, String kind) throws IOException {
        List<BackupDescriptor> all = list().stream().filter(b -> b.kind().equals(kind)).toList();
        if ("latest".equals(id)) {
            return all.stream().filter(BackupDescriptor::verified).findFirst();
        }
        List<BackupDescriptor> matching = all.stream().filter(b -> b.id().toString().startsWith(id.toLowerCase())).toList();
        if (matching.size() > 1) {
            throw new IllegalArgumentException("'" + id + "' matches " + matching.size() + " backups; give more of the id");
        }
        return matching.stream().findFirst();
    }

    /** The newest verified full backup consistent at or before {@code target}: where a point-in-time restore starts. */
    public static Optional<BackupDescriptor> newestBefore(List<BackupDescriptor> fullBackups, OffsetDateTime target) {
        return fullBackups.stream().filter(b -> "postgres-full".equals(b.kind()) && b.verified() && b.consistentAt() != null
                && !b.consistentAt().isAfter(target)).max(Comparator.comparing(BackupDescriptor::consistentAt));
    }

    private Optional<BackupDescriptor> readChecked(String location) throws IOException {
        Map<String, String> sums = new HashMap<>();
        String sumsKey = location + BackupJob.CHECKSUMS;
        if (!storage.exists(sumsKey)) {
            // a run still writing, or one that failed before its checksums were written
            return Optional.empty();
        }
        try (InputStream in = storage.open(sumsKey)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] parts = line.split(" {2}", 2);
                if (parts.length == 2) {
                    sums.put(parts[1], parts[0]);
                }
            }
        }
        String key = location + BackupDescriptor.OBJECT_NAME;
        String actual = ObjectFetcher.sha256Of(storage, key);
        if (!actual.equals(sums.get(BackupDescriptor.OBJECT_NAME))) {
            throw new ObjectFetcher.CorruptObjectException(key, "SHA-256 differs from the one in " + BackupJob.CHECKSUMS);
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(BackupDescriptor.read(in));
        }
    }
}
