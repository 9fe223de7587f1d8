package io.junoscommander.backup.storage;

import io.junoscommander.backup.config.BackupConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The one storage this replica writes to: the directory unless an S3 bucket is configured. */
public class StorageProducer {

    @Produces
    @ApplicationScoped
    BackupStorage storage(BackupConfig config) {
        return new DirectoryStorage(config.dir());
    }
}
