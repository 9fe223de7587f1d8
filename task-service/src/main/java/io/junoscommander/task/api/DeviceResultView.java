package io.junoscommander.task.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** One device's part of a task. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceResultView(UUID deviceId, String deviceName, String state, int attempts, String errorKind, String error,
        List<Object> results, OffsetDateTime startedAt, OffsetDateTime finishedAt, Long durationMs) {
}
