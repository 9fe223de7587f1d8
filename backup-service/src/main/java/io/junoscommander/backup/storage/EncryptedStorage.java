package io.junoscommander.backup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Encrypts every object before it reaches the target (a directory or a bucket) and decrypts it as it is read, with
 * AES-256-GCM in 16 KiB chunks ({@link EncryptedFormat}). Objects are encrypted on the way out as a stream: no plaintext copy
 * and no second copy on disk. Listing shows stored (encrypted) sizes; checksums in the catalog stay those of the plain
 * content because {@link io.junoscommander.backup.run.BackupJob} computes them from the file it stores.
 */
public final class EncryptedStorage implements BackupStorage, AutoCloseable {

    private final BackupStorage target;
    private final EncryptionKey key;
    private final int chunkSize;

    public EncryptedStorage(BackupStorage target, EncryptionKey key) {
        this(target, key, EncryptedFormat.DEFAULT_CHUNK_SIZE);
    }

    /** With a chunk size of its own, so tests can make many chunks out of a small file. */
    EncryptedStorage(BackupStorage target, EncryptionKey key, int chunkSize) {
        this.target = target;
        this.key = key;
        this.chunkSize = chunkSize;
    }

    @Override
    public String kind() {
        return target.kind();
    }

    @Override
    public String describe() {
        return target.describe() + " (encrypted, key id " + key.id() + ")";
    }

    @Override
    public boolean encrypted() {
        return true;
    }

    /** The key's public id, as written into every object. */
    public String keyId() {
        return key.id();
    }

    public BackupStorage target() {
        return target;
    }

    @Override
    public void put(String objectKey, Path source) throws IOException {
        try (InputStream plain = Files.newInputStream(source)) {
            put(objectKey, plain);
        }
    }

    @Override
    public void put(String objectKey, InputStream content) throws IOException {
        target.put(objectKey, EncryptedFormat.encrypting(content, key, chunkSize));
    }

    /** Decrypts as it reads; fails with an IOException naming the key id on a wrong key or an altered object. */
    @Override
    public InputStream open(String objectKey) throws IOException {
        return EncryptedFormat.decrypting(target.open(objectKey), key, objectKey);
    }

    @Override
    public boolean exists(String objectKey) throws IOException {
        return target.exists(objectKey);
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        return target.list(prefix);
    }

    @Override
    public void delete(String objectKey) throws IOException {
        target.delete(objectKey);
    }

    @Override
    public void close() throws Exception {
        if (target instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
