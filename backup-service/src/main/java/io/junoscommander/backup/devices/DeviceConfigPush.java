package io.junoscommander.backup.devices;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The change ledger: one committed push as the device service reported it. {@code version} is the version the pushed
 * configuration is stored as ({@code changed} false when the push left the configuration as it was); null when the entry
 * arrived after a newer configuration was already recorded, or after retention removed its version.
 */
@Entity
@Table(name = "device_config_push")
public class DeviceConfigPush extends PanacheEntityBase {

    @Id
    @Column(name = "stream_entry_id")
    public String streamEntryId;

    @Column(name = "device_id", nullable = false)
    public UUID deviceId;

    @Column(name = "device_name", nullable = false)
    public String deviceName;

    public Integer version;

    public boolean changed;

    @Column(nullable = false)
    public String mode;

    public String comment;

    @Column(name = "pushed_by", nullable = false)
    public String pushedBy;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "task_id")
    public String taskId;

    @Column(name = "committed_at", nullable = false)
    public OffsetDateTime committedAt;

    @Column(name = "recorded_at", nullable = false)
    public OffsetDateTime recordedAt;
}
