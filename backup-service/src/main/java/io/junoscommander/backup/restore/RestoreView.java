package io.junoscommander.backup.restore;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A restore as the API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreView(UUID id, UUID backupId, String kind, String target, OffsetDateTime targetTime, String schema,
        String dataDirectory, boolean start, boolean keepRunning, String status, Integer port, boolean serverRunning, String stopCommand,
        Integer walSegments, List<RestoreCheck> checks, String requestedBy, OffsetDateTime startedAt, OffsetDateTime finishedAt,
        Long durationMs, String error) {

    public static RestoreView of(RestoreRun run) {
        return new RestoreView(run.id, run.backupId, run.kind, run.target, run.targetTime, run.schemaName, run.dataDirectory,
                run.startServer, run.keepRunning, run.status, run.port, run.serverRunning, run.stopCommand, run.walSegments,
                checks(run.checks),
                run.requestedBy, run.startedAt, run.finishedAt, run.durationMs, run.error);
    }

    private static List<RestoreCheck> checks(Map<String, Object> recorded) {
        if (recorded == null) {
            return null;
        }
        return recorded.entrySet().stream().map(entry -> {
            Map<?, ?> check = entry.getValue() instanceof Map<?, ?> map ? map : Map.of();
            return new RestoreCheck(entry.getKey(), Boolean.TRUE.equals(check.get("ok")), String.valueOf(check.get("detail")));
        }).toList();
    }
}
