package io.junoscommander.gateway.identity;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.security.PasswordHasher;
import io.junoscommander.gateway.security.SecurityLog;
import io.junoscommander.gateway.session.SessionStore;
import io.junoscommander.gateway.token.ApiTokenRepository;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Users: creation, changes by admins (role, enabled, password reset), own password change, removal. */
@ApplicationScoped
public class UserService {

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final SessionStore sessions;
    private final ApiTokenRepository tokens;
    private final int minPasswordLength;

    UserService(UserRepository users, PasswordHasher hasher, SessionStore sessions, ApiTokenRepository tokens, GatewayConfig config) {
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.tokens = tokens;
        this.minPasswordLength = config.password().minLength();
    }

    /**
     * Argon2 is CPU-heavy: off the event loop. What follows runs on the caller's Vert.x context again, where Hibernate
     * Reactive keeps its session.
     */
    public static <T> Uni<T> offloaded(Supplier<T> work) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            Uni<T> done = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return caller == null ? done : done.emitOn(task -> caller.runOnContext(ignored -> task.run()));
        });
    }

    public Uni<Optional<User>> find(String username) {
        return users.find(username);
    }

    public Uni<List<User>> list(int limit, int offset) {
        return users.list(limit, offset);
    }

    public Uni<User> create(String username, String password, String role) {
        checkRole(role);
        checkPassword("password", password);
        return offloaded(() -> hasher.hash(password)).flatMap(hash -> users.insert(username, hash, role))
                .map(created -> created.orElseThrow(() -> ProblemException.conflict("user " + username + " already exists")));
    }

    /**
     * Role, enabled and password reset by an admin. Every change revokes the user's sessions, so a demoted or disabled user
     * is out at once; API tokens follow automatically (a token never carries more than its user's current role). Disabling
     * also revokes the user's API tokens for good, as GitHub and AWX do: enabling the user again brings none of them back.
     * Ending the sessions also pushes the user's invalidation to every gateway replica, so their cached sessions and API
     * tokens (whose role follows the user's) are dropped there too.
     */
    public Uni<Optional<User>> update(String username, String role, Boolean enabled, String password) {
        if (role != null) {
            checkRole(role);
        }
        if (password != null) {
            checkPassword("password", password);
        }
        boolean weakens = (role != null && !Roles.ADMIN.equals(role)) || Boolean.FALSE.equals(enabled);
        boolean disables = Boolean.FALSE.equals(enabled);
        // hashed before the transaction, which then holds a PostgreSQL connection only for the statements
        Uni<String> hash = password == null ? Uni.createFrom().nullItem() : offloaded(() -> hasher.hash(password));
        return hash.flatMap(h -> Panache.withTransaction(() -> (weakens ? lastAdminGuard(username) : Uni.createFrom().voidItem())
                .flatMap(ok -> users.update(username, role, enabled, h))
                .flatMap(updated -> updated.isPresent() && disables
                        ? tokens.revokeAllOf(username).map(revokedTokens -> new Change(updated, revokedTokens))
                        : Uni.createFrom().item(new Change(updated, 0)))))
                .flatMap(change -> {
                    if (change.user().isEmpty()) {
                        return Uni.createFrom().item(change.user());
                    }
                    User updated = change.user().get();
                    return sessions.revokeAll(username, null).invoke(revoked -> SecurityLog.LOG.infof(
                            "user changed user=%s role=%s enabled=%s passwordReset=%s sessionsRevoked=%d tokensRevoked=%d", username,
                            updated.role(), updated.enabled(), password != null, revoked, change.tokensRevoked()))
                            .replaceWith(change.user());
                });
    }

    /** A user change as committed: the user (empty when unknown) and how many of their API tokens it revoked. */
    private record Change(Optional<User> user, int tokensRevoked) {
    }

    /** The last-admin check and the removal in one transaction; the user's sessions (in Redis) end after it. */
    public Uni<Boolean> delete(String username) {
        return Panache.withTransaction(() -> lastAdminGuard(username).flatMap(ok -> users.delete(username)))
                .flatMap(deleted -> deleted ? sessions.revokeAll(username, null).replaceWith(true) : Uni.createFrom().item(false));
    }

    /** Own password change: the current password must be right; other sessions of the user end. */
    public Uni<Void> changeOwnPassword(String username, String current, String next, String keepSessionHash) {
        checkPassword("newPassword", next);
        return users.find(username).flatMap(found -> {
            User user = found.orElseThrow(() -> ProblemException.notFound("user " + username));
            return offloaded(() -> hasher.verify(current, user.passwordHash()) ? hasher.hash(next) : null);
        }).flatMap(hash -> {
            if (hash == null) {
                SecurityLog.LOG.warnf("password change refused user=%s reason=wrong-current-password", SecurityLog.safe(username));
                return Uni.createFrom().failure(ProblemException.badRequest("currentPassword", "is not your current password"));
            }
            return users.update(username, null, null, hash).flatMap(updated -> sessions.revokeAll(username, keepSessionHash))
                    .invoke(revoked -> SecurityLog.LOG.infof("password changed user=%s otherSessionsRevoked=%d", username, revoked))
                    .replaceWithVoid();
        });
    }

    private Uni<Void> lastAdminGuard(String username) {
        return users.find(username).flatMap(found -> {
            if (found.isEmpty() || !Roles.ADMIN.equals(found.get().role()) || !found.get().enabled()) {
                return Uni.createFrom().voidItem();
            }
            return users.otherEnabledAdmins(username).map(others -> {
                if (others == 0) {
                    throw ProblemException.conflict("the last enabled admin cannot be removed, disabled or demoted");
                }
                return null;
            });
        }).replaceWithVoid();
    }

    private static void checkRole(String role) {
        if (!Roles.ALL.contains(role)) {
            throw ProblemException.badRequest("role", "must be one of " + Roles.ALL);
        }
    }

    private void checkPassword(String field, String password) {
        if (password == null || password.length() < minPasswordLength) {
            throw ProblemException.badRequest(field, "must have at least " + minPasswordLength + " characters");
        }
        if (password.length() > 1024) {
            throw ProblemException.badRequest(field, "must have at most 1024 characters");
        }
    }
}
