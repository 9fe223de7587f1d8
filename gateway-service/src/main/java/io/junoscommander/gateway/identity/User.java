package io.junoscommander.gateway.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.OffsetDateTime;

/** A gateway user. The password hash never leaves the gateway (not serialised). */
public record User(String username, @JsonIgnore String passwordHash, String role, boolean enabled, OffsetDateTime createdAt,
        OffsetDateTime updatedAt, OffsetDateTime passwordChangedAt) {
}
