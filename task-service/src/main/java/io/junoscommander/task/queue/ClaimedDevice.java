package io.junoscommander.task.queue;

import java.util.List;
import java.util.UUID;

/** A device this replica holds the lease on, with what to run on it; a config-changing task also holds the device's lock. */
public record ClaimedDevice(UUID taskId, UUID deviceId, String deviceName, int attempt, List<String> commands, int timeoutSeconds,
        String submittedBy, boolean configChanging) {
}
