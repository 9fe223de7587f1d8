package io.junoscommander.gateway.identity;

import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Users in {@code gateway.app_user} ({@link UserEntity}, Hibernate Reactive Panache over the reactive pool, so through
 * PgBouncer). Reads join the caller's session or open one; changes run in the caller's transaction or one of their own.
 * Callers are on a Vert.x duplicated context (REST resources; at start, {@code VertxContextSupport}).
 */
@ApplicationScoped
public class UserRepository {

    @WithSession
    public Uni<Optional<User>> find(String username) {
        return UserEntity.<UserEntity>findById(username).map(found -> Optional.ofNullable(found).map(UserEntity::view));
    }

    @WithSession
    public Uni<List<User>> list(int limit, int offset) {
        return UserEntity.<UserEntity>findAll(Sort.by("username")).range(offset, Rows.lastIndex(offset, limit)).list()
                .map(users -> users.stream().map(UserEntity::view).toList());
    }

    /** Empty when the name is taken (also when another replica took it at the same moment). */
    public Uni<Optional<User>> insert(String username, String passwordHash, String role) {
        return Panache.withTransaction(() -> UserEntity.<UserEntity>findById(username).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(Optional.<User>empty());
            }
            OffsetDateTime now = Rows.now();
            UserEntity user = new UserEntity();
            user.username = username;
            user.passwordHash = passwordHash;
            user.role = role;
            user.enabled = true;
            user.createdAt = now;
            user.updatedAt = now;
            user.passwordChangedAt = now;
            return user.persist().map(saved -> Optional.of(user.view()));
        })).onFailure(Rows::isUniqueViolation).recoverWithItem(Optional.empty());
    }

    /** Changes what is given (null: unchanged); the row is locked until the transaction ends, so concurrent changes queue. */
    @WithTransaction
    public Uni<Optional<User>> update(String username, String role, Boolean enabled, String passwordHash) {
        return UserEntity.<UserEntity>findById(username, LockModeType.PESSIMISTIC_WRITE).map(user -> {
            if (user == null) {
                return Optional.empty();
            }
            OffsetDateTime now = Rows.now();
            if (role != null) {
                user.role = role;
            }
            if (enabled != null) {
                user.enabled = enabled;
            }
            if (passwordHash != null) {
                user.passwordHash = passwordHash;
                user.passwordChangedAt = now;
            }
            user.updatedAt = now;
            return Optional.of(user.view());
        });
    }

    /** The user's API tokens go with them (foreign key, ON DELETE CASCADE). */
    @WithTransaction
    public Uni<Boolean> delete(String username) {
        return UserEntity.delete("username", username).map(deleted -> deleted > 0);
    }

    /** Admins that are enabled, except {@code username}: the last admin may not be removed or demoted. */
    @WithSession
    public Uni<Long> otherEnabledAdmins(String username) {
        return UserEntity.count("role = ?1 and enabled = true and username <> ?2", Roles.ADMIN, username);
    }
}
