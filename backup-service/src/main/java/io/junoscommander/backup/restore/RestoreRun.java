package io.junoscommander.backup.restore;

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

/** One restore asked for through the API: what, into where, how it went. */
@Entity
@Table(name = "restore_run")
public class RestoreRun extends PanacheEntityBase {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    @Id
    public UUID id;

    @Column(name = "backup_id")
    public UUID backupId;

    /** {@code full} or {@code schema}. */
    @Column(nullable = false)
    public String kind;

    /** {@code latest} or {@code time}. */
    @Column(nullable = false)
    public String target;

    @Column(name = "target_time")
    public OffsetDateTime targetTime;

    @Column(name = "schema_name")
    public String schemaName;

    @Column(name = "data_directory", nullable = false)
    public String dataDirectory;

    @Column(name = "start_server", nullable = false)
    public boolean startServer;

    @Column(name = "keep_running", nullable = false)
    public boolean keepRunning;

    @Column(nullable = false)
    public String status;

    public Integer port;

    @Column(name = "server_running", nullable = false)
    public boolean serverRunning;

    @Column(name = "stop_command")
    public String stopCommand;

    @Column(name = "wal_segments")
    public Integer walSegments;

    /** Check name to {@code {"ok": …, "detail": …}}, in the order they ran. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> checks;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "instance_id", nullable = false)
    public String instanceId;

    @Column(name = "started_at", nullable = false)
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    @Column(name = "duration_ms")
    public Long durationMs;

    public String error;
}
