package io.junoscommander.device.configuration;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** What a configuration push did: the diff against the running config and the device's verdict. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigPushResult(UUID deviceId, String deviceName, String mode, boolean success, boolean committed, String diff,
        String message, List<String> errors, OffsetDateTime rollbackAt, long durationMs) {
}
