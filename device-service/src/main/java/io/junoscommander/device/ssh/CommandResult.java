package io.junoscommander.device.ssh;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One command's outcome on one device. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandResult(String command, String output, Integer exitStatus, long durationMs, boolean truncated, ErrorKind errorKind,
        String error) {
}
