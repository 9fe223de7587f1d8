package io.junoscommander.task.schedule;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A schedule as stored and shown. */
public record ScheduleView(UUID id, String name, String cron, String timezone, boolean enabled, Map<String, Object> template,
        OffsetDateTime nextFireAt, OffsetDateTime lastFiredAt, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
