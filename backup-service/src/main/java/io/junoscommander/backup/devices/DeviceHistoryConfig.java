package io.junoscommander.backup.devices;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Device configuration history settings ({@code BACKUP_DEVICES_*}, {@code BACKUP_DEVICE_VERSIONS_KEEP}). */
@ConfigMapping(prefix = "junoscommander.device-history")
public interface DeviceHistoryConfig {

    /** Collection and the change-ledger consumer; off, the history API still answers from what is stored. */
    @WithDefault("true")
    boolean enabled();

    /** Devices fetched at once during a collection. */
    @WithDefault("20")
    int concurrency();

    /** Lines that change without a configuration change (commit stamps); a line any of them finds is left out. */
    List<String> volatilePatterns();

    /** Whether secret values are replaced by {@link ConfigNormalizer#SECRET_MARKER} before anything is stored. */
    @WithDefault("true")
    boolean maskSecrets();

    /** Regular expressions whose first group is a secret value. */
    List<String> secretPatterns();

    /** More of the same, added to the defaults. */
    Optional<List<String>> extraSecretPatterns();

    /** Versions kept per device; the newest is never deleted. */
    @WithDefault("500")
    int versionsKeep();

    ChangeStream changeStream();

    /** The Redis Stream the device service publishes committed pushes on. */
    interface ChangeStream {
        @WithDefault("jc:config-changes")
        String key();

        @WithDefault("backup-service")
        String group();

        /** An entry delivered to a replica that has not acknowledged it for this long is taken over by another. */
        @WithDefault("60s")
        Duration claimIdle();
    }
}
