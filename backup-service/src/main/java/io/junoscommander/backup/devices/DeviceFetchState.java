package io.junoscommander.backup.devices;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Per device: its newest version and how the last fetches went. Locked while a version is numbered. */
@Entity
@Table(name = "device_fetch_state")
public class DeviceFetchState extends PanacheEntityBase {

    @Id
    @Column(name = "device_id")
    public UUID deviceId;

    @Column(name = "device_name", nullable = false)
    public String deviceName;

    /** 0 until the first version is stored. */
    @Column(name = "latest_version", nullable = false)
    public int latestVersion;

    @Column(name = "latest_sha256")
    public String latestSha256;

    @Column(name = "latest_fetched_at")
    public OffsetDateTime latestFetchedAt;

    @Column(name = "last_attempt_at")
    public OffsetDateTime lastAttemptAt;

    @Column(name = "last_success_at")
    public OffsetDateTime lastSuccessAt;

    @Column(name = "consecutive_failures", nullable = false)
    public int consecutiveFailures;

    /** The device service's problem type without its prefix, e.g. {@code device-unreachable}; null after a success. */
    @Column(name = "error_kind")
    public String errorKind;

    @Column(name = "error_message")
    public String errorMessage;
}
