package io.junoscommander.gateway.token;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An API token as listed: never the token itself, which is shown once at creation. */
public record ApiToken(UUID id, String name, String username, String role, Integer rateLimitPerMinute, OffsetDateTime createdAt,
        OffsetDateTime expiresAt, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {

    static ApiToken from(Row row) {
        return new ApiToken(row.getUUID("id"), row.getString("name"), row.getString("username"), row.getString("role"),
                row.getInteger("rate_limit_per_minute"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("expires_at"),
                row.getOffsetDateTime("last_used_at"), row.getOffsetDateTime("revoked_at"));
    }
}
