package io.junoscommander.device.inventory;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A device in the inventory, as stored and as the API shows it. */
public record Device(UUID id, String name, String host, int port, String platform, String site, List<String> tags,
        Map<String, Object> attributes, UUID credentialId, boolean enabled, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
