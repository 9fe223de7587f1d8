package io.junoscommander.device.changes;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A configuration a push committed, as the device showed it right after the commit ({@code display set} form), with who
 * pushed it and through which request and task. {@code taskId} and {@code comment} may be null.
 */
public record ConfigChange(UUID deviceId, String deviceName, String content, String sha256, String user, String requestId,
        String taskId, String mode, String comment, OffsetDateTime committedAt) {
}
