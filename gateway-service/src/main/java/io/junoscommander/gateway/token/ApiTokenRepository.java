package io.junoscommander.gateway.token;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** API tokens in {@code gateway.api_token}: only the SHA-256 of each token is stored. */
@ApplicationScoped
public class ApiTokenRepository {

    private static final String COLUMNS = "id, name, username, role, rate_limit_per_minute, created_at, expires_at, last_used_at, "
            + "revoked_at";

    private final Pool pool;

    ApiTokenRepository(Pool pool) {
        this.pool = pool;
    }

    /** What authentication needs: the token's owner and role, only while the token and its user are valid. */
    public record Grant(UUID id, String username, String tokenRole, String userRole, Integer rateLimitPerMinute) {
    }

    public Uni<ApiToken> insert(String name, String username, String role, String hash, Integer rateLimitPerMinute,
            OffsetDateTime expiresAt) {
        return pool.preparedQuery("INSERT INTO gateway.api_token (name, username, role, token_hash, rate_limit_per_minute, expires_at) "
                + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS)
                .execute(Tuple.from(java.util.Arrays.asList(name, username, role, hash, rateLimitPerMinute, expiresAt)))
                .map(rows -> ApiToken.from(rows.iterator().next()));
    }

    /** Looks the token up and, at most once a minute, stamps its last use. */
    public Uni<Optional<Grant>> use(String hash) {
        return pool.preparedQuery("WITH t AS (SELECT t.id, t.username, t.role AS token_role, u.role AS user_role, t.rate_limit_per_minute "
                + "FROM gateway.api_token t JOIN gateway.app_user u ON u.username = t.username "
                + "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.enabled), "
                + "stamp AS (UPDATE gateway.api_token SET last_used_at = now() WHERE id IN (SELECT id FROM t) "
                + "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')) "
                + "SELECT * FROM t").execute(Tuple.of(hash)).map(rows -> {
                    var iterator = rows.iterator();
                    if (!iterator.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = iterator.next();
                    return Optional.of(new Grant(row.getUUID("id"), row.getString("username"), row.getString("token_role"),
                            row.getString("user_role"), row.getInteger("rate_limit_per_minute")));
                });
    }

    /** Tokens of one user, or of everyone when {@code username} is null. */
    public Uni<List<ApiToken>> list(String username) {
        Uni<RowSet<Row>> rows = username == null
                ? pool.query("SELECT " + COLUMNS + " FROM gateway.api_token ORDER BY created_at DESC").execute()
                : pool.preparedQuery("SELECT " + COLUMNS + " FROM gateway.api_token WHERE username = $1 ORDER BY created_at DESC")
                        .execute(Tuple.of(username));
        return rows.map(found -> {
            List<ApiToken> tokens = new ArrayList<>();
            found.forEach(row -> tokens.add(ApiToken.from(row)));
            return tokens;
        });
    }

    public Uni<Optional<ApiToken>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM gateway.api_token WHERE id = $1").execute(Tuple.of(id)).map(rows -> {
            var iterator = rows.iterator();
            return iterator.hasNext() ? Optional.of(ApiToken.from(iterator.next())) : Optional.empty();
        });
    }

    /** Revokes every live token of {@code username}; the number revoked. */
    public Uni<Integer> revokeAllOf(String username) {
        return pool.preparedQuery("UPDATE gateway.api_token SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(username)).map(rows -> rows.rowCount());
    }

    public Uni<Boolean> revoke(UUID id) {
        return pool.preparedQuery("UPDATE gateway.api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }
}
