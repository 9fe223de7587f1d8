package io.junoscommander.gateway.identity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A row of {@code gateway.app_user}; the API shows it as a {@link User}, without the password hash. */
@Entity
@Table(name = "app_user")
public class UserEntity extends PanacheEntityBase {

    @Id
    public String username;

    @Column(name = "password_hash", nullable = false)
    public String passwordHash;

    @Column(nullable = false)
    public String role;

    @Column(nullable = false)
    public boolean enabled;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "password_changed_at", nullable = false)
    public OffsetDateTime passwordChangedAt;

    User view() {
        return new User(username, passwordHash, role, enabled, createdAt, updatedAt, passwordChangedAt);
    }
}
