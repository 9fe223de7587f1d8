package io.junoscommander.backup.devices;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps at most {@code BACKUP_DEVICE_VERSIONS_KEEP} versions per device (never the newest); push ledger entries outlive
 * the versions they pointed at. Each collection applies it; the cleanup run can call {@link #apply()} too. Also where
 * the service refuses to start when it should collect but cannot authenticate to the device service.
 */
@ApplicationScoped
public class DeviceConfigRetention {

    private final DeviceConfigHistory history;
    private final DeviceHistoryConfig config;
    private final DeviceClient devices;

    DeviceConfigRetention(DeviceConfigHistory history, DeviceHistoryConfig config, DeviceClient devices) {
        this.history = history;
        this.config = config;
        this.devices = devices;
    }

    /** Deletes the versions beyond the newest {@code BACKUP_DEVICE_VERSIONS_KEEP} of each device; answers how many went. */
    public Uni<Integer> apply() {
        return history.prune(config.versionsKeep());
    }

    void requireSettings(@Observes StartupEvent event) {
        if (config.versionsKeep() < 1) {
            throw new IllegalStateException("BACKUP_DEVICE_VERSIONS_KEEP must be at least 1: the newest version is always kept");
        }
        if (config.enabled() && !devices.canAuthenticate()) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not set: the backup service signs the internal token it reads"
                    + " device configurations with (or set BACKUP_DEVICES_ENABLED=false)");
        }
    }
}
