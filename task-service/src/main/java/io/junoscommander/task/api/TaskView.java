package io.junoscommander.task.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A task as the API shows it, with how many of its devices are in each state. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(UUID id, String name, List<String> commands, Map<String, Object> target, int concurrency,
        int perDeviceTimeoutSeconds, Integer failureThresholdPercent, boolean configChanging, String state, int deviceCount,
        Map<String, Integer> counts, String createdBy, UUID scheduleId, OffsetDateTime createdAt, OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {

    public TaskView withCounts(Map<String, Integer> newCounts) {
        return new TaskView(id, name, commands, target, concurrency, perDeviceTimeoutSeconds, failureThresholdPercent, configChanging,
                state, deviceCount, newCounts, createdBy, scheduleId, createdAt, startedAt, finishedAt);
    }

    public boolean isFinal() {
        return List.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED").contains(state);
    }
}
