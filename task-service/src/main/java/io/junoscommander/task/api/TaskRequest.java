package io.junoscommander.task.api;

import io.junoscommander.support.input.CliCommand;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;

/** A task to run (also the template of a schedule). */
public record TaskRequest(
        @NotBlank @Size(max = 200) String name,
        @NotEmpty @Size(max = 50) List<@CliCommand String> commands,
        @NotNull @Valid Target target,
        @Min(1) @Max(1000) Integer concurrency,
        @Min(1) @Max(3600) Integer perDeviceTimeoutSeconds,
        @Min(0) @Max(100) Integer failureThresholdPercent,
        Boolean configChanging) {

    /** Which devices: explicit ids, or filters (all given must match), or all. Resolved once, at submission. */
    public record Target(@Size(max = 10_000) List<UUID> deviceIds, @Size(max = 20) List<@NotBlank String> tags, String platform,
            String site, Boolean all) {

        boolean isEmpty() {
            return (deviceIds == null || deviceIds.isEmpty()) && (tags == null || tags.isEmpty()) && platform == null && site == null
                    && !Boolean.TRUE.equals(all);
        }
    }

    int concurrencyOrDefault() {
        return concurrency == null ? 10 : concurrency;
    }

    int timeoutOrDefault() {
        return perDeviceTimeoutSeconds == null ? 60 : perDeviceTimeoutSeconds;
    }

    /** Read-only show/ping-style commands change nothing; anything else is treated as changing the device. */
    boolean changesConfiguration() {
        if (configChanging != null) {
            return configChanging;
        }
        return commands.stream().map(c -> c.strip().toLowerCase(java.util.Locale.ROOT)).anyMatch(c -> !(c.startsWith("show ")
                || c.equals("show") || c.startsWith("ping ") || c.startsWith("traceroute ") || c.startsWith("file show ")
                || c.startsWith("uname") || c.startsWith("hostname") || c.startsWith("uptime") || c.startsWith("cat ")));
    }
}
