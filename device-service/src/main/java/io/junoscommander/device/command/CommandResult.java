package io.junoscommander.device.command;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.junoscommander.device.ssh.ErrorKind;

/** One command's outcome on one device. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandResult(String command, String output, Integer exitStatus, long durationMs, boolean truncated, ErrorKind errorKind,
        String error) {
}
