package io.junoscommander.gateway.token;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An API token as listed: never the token itself, which is shown once at creation. */
public record ApiToken(UUID id, String name, String username, String role, Integer rateLimitPerMinute, OffsetDateTime createdAt,
        OffsetDateTime expiresAt, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
}
