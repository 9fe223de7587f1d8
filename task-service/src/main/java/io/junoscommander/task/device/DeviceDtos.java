package io.junoscommander.task.device;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The shapes task-service exchanges with the device service. */
public final class DeviceDtos {

    private DeviceDtos() {
    }

    /** Which devices a task targets. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record TargetSelector(List<UUID> deviceIds, List<String> tags, String platform, String site, Boolean all) {
    }

    /** A resolved device. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResolvedDevice(UUID id, String name, String platform, boolean enabled, boolean hasCredential) {
    }

    /** The device service's answer to a selector. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resolution(List<ResolvedDevice> devices, List<UUID> unknownIds) {
    }

    /** Commands for one device. */
    public record CommandRequest(List<String> commands, Integer timeoutSeconds) {
    }

    /** The same commands on many devices, {@code concurrency} at once, answered as one NDJSON line per device. */
    public record FanoutRequest(List<UUID> deviceIds, List<String> commands, Integer timeoutSeconds, Integer concurrency) {
    }

    /** One device's outcome, as the device service reports it (per-command results kept as they come). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RunResult(UUID deviceId, String deviceName, boolean ok, String errorKind, String error, long durationMs,
            List<Map<String, Object>> results) {
    }
}
