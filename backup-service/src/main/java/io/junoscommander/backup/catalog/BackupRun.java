package io.junoscommander.backup.catalog;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One backup run in the catalog: what, when, how big, where, whether verified, and the error if it failed. */
@Entity
@Table(name = "backup_run")
public class BackupRun extends PanacheEntityBase {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    @Id
    public UUID id;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String status;

    /** {@code schedule}, {@code api} or {@code cli}. */
    @Column(nullable = false)
    public String trigger;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "instance_id", nullable = false)
    public String instanceId;

    @Column(name = "started_at", nullable = false)
    public OffsetDateTime startedAt;

    /** Refreshed while the run works; a running row whose heartbeat stopped belongs to a replica that died. */
    @Column(name = "heartbeat_at", nullable = false)
    public OffsetDateTime heartbeatAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    @Column(name = "duration_ms")
    public Long durationMs;

    @Column(name = "size_bytes")
    public Long sizeBytes;

    /** SHA-256 of the run's {@code SHA256SUMS} file, which lists every object's own SHA-256. */
    public String checksum;

    public boolean verified;

    @Column(name = "verified_at")
    public OffsetDateTime verifiedAt;

    /** {@code directory} or {@code s3}. */
    public String storage;

    /** The key prefix of the run's objects in the storage. */
    public String location;

    public boolean encrypted;

    /** For PostgreSQL: the first and last WAL segment (or LSN) the backup covers. */
    @Column(name = "wal_start")
    public String walStart;

    @Column(name = "wal_end")
    public String walEnd;

    /** The moment the backup's data is consistent as of (a restore can target nothing earlier). */
    @Column(name = "consistent_at")
    public OffsetDateTime consistentAt;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;

    public String error;

    public BackupKind backupKind() {
        return BackupKind.fromWire("kind", kind);
    }
}
