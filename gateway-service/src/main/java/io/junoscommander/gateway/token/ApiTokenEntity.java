package io.junoscommander.gateway.token;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A row of {@code gateway.api_token}: the SHA-256 of the token, never the token. The API shows it as an {@link ApiToken}. */
@Entity
@Table(name = "api_token")
public class ApiTokenEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String username;

    @Column(nullable = false)
    public String role;

    @Column(name = "token_hash", nullable = false)
    public String tokenHash;

    @Column(name = "rate_limit_per_minute")
    public Integer rateLimitPerMinute;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "last_used_at")
    public OffsetDateTime lastUsedAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    ApiToken view() {
        return new ApiToken(id, name, username, role, rateLimitPerMinute, createdAt, expiresAt, lastUsedAt, revokedAt);
    }
}
