package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupFile;
import io.junoscommander.backup.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * One run as its handler sees it: its id, its scratch directory, and {@link #store} which writes a file to the storage
 * under the run's location and records its size and SHA-256 for the catalog and the run's {@code SHA256SUMS}.
 */
public final class BackupJob {

    public static final String CHECKSUMS = "SHA256SUMS";

    private final UUID id;
    private final String location;
    private final Path workDir;
    private final BackupStorage storage;
    private final List<BackupFile> files = Collections.synchronizedList(new ArrayList<>());

    BackupJob(UUID id, String location, Path workDir, BackupStorage storage) {
        this.id = id;
        this.location = location;
        this.workDir = workDir;
        this.storage = storage;
    }

    public UUID id() {
        return id;
    }

    /** The key prefix of this run's objects, ending with {@code /}. */
    public String location() {
        return location;
    }

    /** A directory of this run's own, deleted when the run ends. */
    public Path workDir() {
        return workDir;
    }

    public BackupStorage storage() {
        return storage;
    }

    /** Writes {@code file} as {@code location + name} and records its SHA-256 (of the plain content) and size. */
    public BackupFile store(String name, Path file) throws IOException {
        BackupFile record = new BackupFile();
        record.backupId = id;
        record.name = name;
        record.sizeBytes = Files.size(file);
        record.sha256 = sha256(file);
        storage.put(location + name, file);
        files.add(record);
        return record;
    }

    public List<BackupFile> files() {
        return List.copyOf(files);
    }

    /** Writes {@code SHA256SUMS} (the {@code sha256sum -c} format) beside the objects; returns its own SHA-256. */
    String storeChecksums() throws IOException {
        StringBuilder text = new StringBuilder();
        files().stream().sorted(java.util.Comparator.comparing(f -> f.name))
                .forEach(f -> text.append(f.sha256).append("  ").append(f.name).append('\n'));
        Path sums = workDir.resolve(CHECKSUMS);
        Files.writeString(sums, text, StandardCharsets.UTF_8);
        storage.put(location + CHECKSUMS, sums);
        return sha256(sums);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** Reads {@code in} to its end and returns the hex SHA-256 of what it read. */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
