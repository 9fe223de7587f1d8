package io.junoscommander.backup.storage;

import io.junoscommander.backup.config.BackupConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one storage this replica writes to: the S3 bucket when {@code BACKUP_S3_BUCKET} is set, else the directory; wrapped
 * in {@link EncryptedStorage} when {@code BACKUP_ENCRYPTION_KEY} is set. Built at startup, so a malformed key or endpoint
 * stops the service with a message saying what to fix.
 */
public class StorageProducer {

    private static final Logger LOG = Logger.getLogger(StorageProducer.class);

    @Produces
    @ApplicationScoped
    BackupStorage storage(BackupConfig config) {
        return create(config);
    }

    void close(@Disposes BackupStorage storage) throws Exception {
        if (storage instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    void announce(@Observes StartupEvent event, BackupStorage storage) {
        LOG.infof("backups are stored in %s", storage.describe());
    }

    static BackupStorage create(BackupConfig config) {
        return create(config.dir(), config.s3(), config.encryptionKey());
    }

    /**
     * The directory, or the S3 bucket when one is named, encrypted when a key is given; also used by the operator's restore
     * command, which runs without the service (and so without its configuration mapping).
     */
    public static BackupStorage create(Path dir, BackupConfig.S3 s3, Optional<String> encryptionKey) {
        // parse the key first: a bad key must stop the service before anything is written unencrypted
        EncryptionKey key = encryptionKey.filter(k -> !k.isBlank()).map(EncryptionKey::parse).orElse(null);
        boolean inBucket = s3.bucket().filter(b -> !b.isBlank()).isPresent();
        BackupStorage target = inBucket ? S3Storage.create(s3) : new DirectoryStorage(dir);
        return key == null ? target : new EncryptedStorage(target, key);
    }
}
