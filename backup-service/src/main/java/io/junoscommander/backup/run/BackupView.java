package io.junoscommander.backup.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.junoscommander.backup.catalog.BackupFile;
import io.junoscommander.backup.catalog.BackupRun;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A backup run as the API shows it; {@code files} only on the single-backup answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupView(UUID id, String kind, String status, String trigger, String requestedBy, String instanceId,
        OffsetDateTime startedAt, OffsetDateTime finishedAt, Long durationMs, Long sizeBytes, String checksum, boolean verified,
        OffsetDateTime verifiedAt, String storage, String location, boolean encrypted, String walStart, String walEnd,
        OffsetDateTime consistentAt, Map<String, Object> details, String error, List<FileView> files) {

    /** One stored object of a run. */
    public record FileView(String name, long sizeBytes, String sha256) {
    }

    public static BackupView of(BackupRun run, List<BackupFile> files) {
        return new BackupView(run.id, run.kind, run.status, run.trigger, run.requestedBy, run.instanceId, run.startedAt, run.finishedAt,
                run.durationMs, run.sizeBytes, run.checksum, run.verified, run.verifiedAt, run.storage, run.location, run.encrypted,
                run.walStart, run.walEnd, run.consistentAt, run.details, run.error,
                files == null ? null : files.stream().map(f -> new FileView(f.name, f.sizeBytes, f.sha256)).toList());
    }
}
