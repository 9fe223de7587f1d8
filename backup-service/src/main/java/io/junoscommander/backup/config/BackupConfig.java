package io.junoscommander.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Backup settings; the README lists their environment variables. */
@ConfigMapping(prefix = "junoscommander.backup")
public interface BackupConfig {

    /** The directory target ({@code BACKUP_DIR}); also where the WAL receiver keeps the segment it is writing. */
    Path dir();

    /** Scratch space for a backup or restore in progress; emptied after each. */
    Path workDir();

    S3 s3();

    /** Base64 of 32 bytes: when set, every object is encrypted (AES-256-GCM) before it leaves the service. */
    Optional<String> encryptionKey();

    @WithDefault("30")
    int retentionDays();

    Schedule schedule();

    Postgres postgres();

    /** The S3 target, used when {@code bucket} is set. */
    interface S3 {
        Optional<String> bucket();

        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        Optional<String> prefix();
    }

    /** Cron expressions (UTC); {@code off} turns that job off. */
    interface Schedule {
        Optional<String> full();

        Optional<String> incremental();

        Optional<String> redis();

        Optional<String> cleanup();

        Optional<String> devices();

        Optional<String> drill();
    }

    /** PostgreSQL reached directly with the backup role (replication protocol, pg_dump). */
    interface Postgres {
        String host();

        int port();

        String database();

        String user();

        Optional<String> password();

        /** libpq's {@code sslmode} ({@code DB_SSL_MODE}): disable, require, verify-ca or verify-full. */
        @WithDefault("disable")
        String sslMode();

        /** The CA (PEM) the server certificate must chain to ({@code DB_SSL_ROOT_CERT}). */
        Optional<String> sslRootCert();

        /** Where pg_basebackup and friends live; found in Debian's versioned folder when unset. */
        Optional<Path> binDir();
    }
}
