package io.junoscommander.backup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Where backups are kept: a directory ({@code BACKUP_DIR}, a PVC in Kubernetes) or an S3 bucket. Keys are relative,
 * slash-separated paths such as {@code postgres-full/20261201T020000Z-1a2b3c4d/base.tar.gz}. Methods block: call them
 * from a worker thread, never from the event loop. A missing key is a {@link java.nio.file.NoSuchFileException}.
 */
public interface BackupStorage {

    /** {@code directory} or {@code s3}, as recorded in the catalog. */
    String kind();

    /** Where, for people: {@code /var/lib/junoscommander/backups} or {@code s3://bucket/prefix}. */
    String describe();

    /** Whether objects are encrypted before they are written. */
    boolean encrypted();

    /** Copies {@code source} to {@code key}, replacing what is there; the object appears whole or not at all. */
    void put(String key, Path source) throws IOException;

    /**
     * Writes everything {@code content} yields to {@code key}, replacing what is there; the object appears whole or not at
     * all. For content that is made while it is written (an encrypted file), so it never needs a second copy on disk. The
     * caller closes {@code content}.
     */
    void put(String key, InputStream content) throws IOException;

    /** The object's plain content (decrypted when the storage encrypts). */
    InputStream open(String key) throws IOException;

    /** Copies the object's plain content to {@code target}. */
    default void get(String key, Path target) throws IOException {
        try (InputStream in = open(key)) {
            java.nio.file.Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    boolean exists(String key) throws IOException;

    /** Every object whose key starts with {@code prefix}, sorted by key. */
    List<StoredObject> list(String prefix) throws IOException;

    /** Deletes one object; deleting a missing one is not an error. */
    void delete(String key) throws IOException;

    /** An object as listed: its key, its stored size (encrypted size when encrypted) and when it was written. */
    record StoredObject(String key, long size, Instant lastModified) {
    }
}
