package io.junoscommander.device.command;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.junoscommander.device.ssh.ErrorKind;
import io.junoscommander.device.ssh.SshFailure;
import java.util.List;
import java.util.UUID;

/**
 * The outcome of a list of commands on one device: {@code ok} when every command ran cleanly; otherwise the first error
 * kind (a connection failure has no per-command results).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceRunResult(UUID deviceId, String deviceName, boolean ok, ErrorKind errorKind, String error, long durationMs,
        List<CommandResult> results) {

    static DeviceRunResult failed(UUID deviceId, String name, SshFailure failure, long durationMs) {
        return new DeviceRunResult(deviceId, name, false, failure.kind(), failure.getMessage(), durationMs, List.of());
    }
}
