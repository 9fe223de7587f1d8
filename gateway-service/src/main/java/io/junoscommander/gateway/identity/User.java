package io.junoscommander.gateway.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;

/** A gateway user. The password hash never leaves the gateway (not serialised). */
public record User(String username, @JsonIgnore String passwordHash, String role, boolean enabled, OffsetDateTime createdAt,
        OffsetDateTime updatedAt, OffsetDateTime passwordChangedAt) {

    static User from(Row row) {
        return new User(row.getString("username"), row.getString("password_hash"), row.getString("role"), row.getBoolean("enabled"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"), row.getOffsetDateTime("password_changed_at"));
    }
}
