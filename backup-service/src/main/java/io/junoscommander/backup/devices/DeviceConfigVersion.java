package io.junoscommander.backup.devices;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;

/** One distinct configuration of a device (normalized, secrets masked), numbered from 1 per device. */
@Entity
@Table(name = "device_config_version")
@IdClass(DeviceConfigVersion.Key.class)
public class DeviceConfigVersion extends PanacheEntityBase {

    public static final String SCHEDULE = "schedule";
    public static final String API = "api";
    public static final String PUSH = "push";

    @Id
    @Column(name = "device_id")
    public UUID deviceId;

    @Id
    public int version;

    @Column(name = "device_name", nullable = false)
    public String deviceName;

    @Column(nullable = false)
    public String sha256;

    @Column(nullable = false)
    public String content;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @Column(name = "line_count", nullable = false)
    public int lineCount;

    @Column(name = "lines_added", nullable = false)
    public int linesAdded;

    @Column(name = "lines_removed", nullable = false)
    public int linesRemoved;

    @Column(nullable = false)
    public String source;

    @Column(name = "changed_by")
    public String changedBy;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "task_id")
    public String taskId;

    @Column(name = "fetched_at", nullable = false)
    public OffsetDateTime fetchedAt;

    @Column(name = "recorded_at", nullable = false)
    public OffsetDateTime recordedAt;

    /** The composite key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;

        public UUID deviceId;
        public int version;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(deviceId, key.deviceId) && version == key.version;
        }

        @Override
        public int hashCode() {
            return Objects.hash(deviceId, version);
        }
    }
}
