package io.junoscommander.backup.wal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The continuous WAL receiver ({@code BACKUP_WAL_*}); the README lists the environment variables. */
@ConfigMapping(prefix = "junoscommander.backup.wal")
public interface WalConfig {

    /** Whether this service streams WAL at all ({@code BACKUP_WAL_ENABLED}). */
    @WithDefault("true")
    boolean enabled();

    /** The physical replication slot the receiver streams from; created when missing. */
    @WithDefault("jc_backup_wal")
    String slot();

    /**
     * The receiver's {@code application_name}: the name an operator lists in {@code synchronous_standby_names} for the
     * synchronous mode.
     */
    @WithDefault("jc_backup_wal")
    String applicationName();

    /** {@code pg_receivewal --synchronous}: flush and confirm every write, so the server can wait for it on commit. */
    @WithDefault("false")
    boolean synchronous();

    /** Where {@code pg_receivewal} writes; defaults to {@code wal-receiver} under {@code BACKUP_DIR}. */
    Optional<Path> receiverDir();

    /** How long a replica holds the receiver without renewing; another takes over after this. */
    @WithDefault("15s")
    Duration leaseTime();

    /** How often the holder renews its lease (and others try to take an expired one). */
    @WithDefault("3s")
    Duration leaseRenewal();

    /** How often the newest, still growing segment is copied to the storage when it changed. */
    @WithDefault("2s")
    Duration partialUploadInterval();

    /** Longest wait between restarts of a receiver that keeps dying (the wait doubles from one second). */
    @WithDefault("30s")
    Duration maxRestartBackoff();

    /** How often the lag is measured for the metrics, the API and the health page. */
    @WithDefault("2s")
    Duration lagInterval();
}
