package io.junoscommander.task.schedule;

import io.junoscommander.task.api.TaskRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A cron schedule (five fields, Unix style: minute hour day-of-month month day-of-week) and the task it submits. */
public record ScheduleRequest(@NotBlank @Size(max = 200) String name, @NotBlank @Size(max = 120) String cron, String timezone,
        Boolean enabled, @NotNull @Valid TaskRequest template) {
}
