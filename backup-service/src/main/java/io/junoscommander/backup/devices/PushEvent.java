package io.junoscommander.backup.devices;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

/** A committed push as the device service published it on the config-changes stream. */
public record PushEvent(UUID deviceId, String deviceName, String content, String user, String requestId, String taskId, String mode,
        String comment, OffsetDateTime committedAt) {

    /** Reads a stream entry; an entry that lacks what the ledger needs is refused with the reason. */
    static PushEvent of(Map<String, String> fields) {
        try {
            return new PushEvent(UUID.fromString(required(fields, "deviceId")), required(fields, "deviceName"),
                    required(fields, "content"), required(fields, "user"), fields.get("requestId"), fields.get("taskId"),
                    required(fields, "mode"), fields.get("comment"), OffsetDateTime.parse(required(fields, "committedAt")));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("unreadable config-change entry: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + name);
        }
        return value;
    }
}
