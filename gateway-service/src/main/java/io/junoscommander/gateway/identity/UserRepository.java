package io.junoscommander.gateway.identity;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users in {@code gateway.app_user}, through the reactive pool and so through PgBouncer. Plain SQL rather than Panache:
 * these queries also run inside the HTTP authentication layer and Vert.x route handlers, outside any Hibernate session.
 */
@ApplicationScoped
public class UserRepository {

    private static final String COLUMNS = "username, password_hash, role, enabled, created_at, updated_at, password_changed_at";

    private final Pool pool;

    UserRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<User>> find(String username) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM gateway.app_user WHERE username = $1").execute(Tuple.of(username))
                .map(rows -> first(rows));
    }

    public Uni<List<User>> list(int limit, int offset) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM gateway.app_user ORDER BY username LIMIT $1 OFFSET $2")
                .execute(Tuple.of(limit, offset)).map(rows -> {
                    List<User> users = new ArrayList<>();
                    rows.forEach(row -> users.add(User.from(row)));
                    return users;
                });
    }

    /** Empty when the name is taken. */
    public Uni<Optional<User>> insert(String username, String passwordHash, String role) {
        return pool.preparedQuery("INSERT INTO gateway.app_user (username, password_hash, role) VALUES ($1, $2, $3) "
                + "ON CONFLICT (username) DO NOTHING RETURNING " + COLUMNS).execute(Tuple.of(username, passwordHash, role))
                .map(rows -> first(rows));
    }

    public Uni<Optional<User>> update(String username, String role, Boolean enabled, String passwordHash) {
        return pool.preparedQuery("UPDATE gateway.app_user SET role = COALESCE($2, role), enabled = COALESCE($3, enabled), "
                + "password_hash = COALESCE($4, password_hash), "
                + "password_changed_at = CASE WHEN $4::text IS NULL THEN password_changed_at ELSE now() END, updated_at = now() "
                + "WHERE username = $1 RETURNING " + COLUMNS).execute(Tuple.of(username, role, enabled, passwordHash))
                .map(rows -> first(rows));
    }

    public Uni<Boolean> delete(String username) {
        return pool.preparedQuery("DELETE FROM gateway.app_user WHERE username = $1").execute(Tuple.of(username))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Admins that are enabled, except {@code username}: the last admin may not be removed or demoted. */
    public Uni<Long> otherEnabledAdmins(String username) {
        return pool.preparedQuery("SELECT count(*) AS n FROM gateway.app_user WHERE role = 'admin' AND enabled AND username <> $1")
                .execute(Tuple.of(username)).map(rows -> rows.iterator().next().getLong("n"));
    }

    private static Optional<User> first(RowSet<io.vertx.mutiny.sqlclient.Row> rows) {
        var iterator = rows.iterator();
        return iterator.hasNext() ? Optional.of(User.from(iterator.next())) : Optional.empty();
    }
}
