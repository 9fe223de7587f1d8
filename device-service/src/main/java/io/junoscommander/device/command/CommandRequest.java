package io.junoscommander.device.command;

import io.junoscommander.support.input.CliCommand;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;

/** Commands for one device ({@code deviceIds} unused) or for many. */
public record CommandRequest(
        @Size(max = 10_000) List<UUID> deviceIds,
        @NotEmpty @Size(max = 50) List<@CliCommand String> commands,
        @Min(1) @Max(3600) Integer timeoutSeconds,
        @Min(1) @Max(1000) Integer concurrency) {
}
