package io.junoscommander.gateway.token;

import io.junoscommander.support.persistence.Rows;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API tokens in {@code gateway.api_token} ({@link ApiTokenEntity}, Hibernate Reactive Panache): only the SHA-256 of each
 * token is stored. The lookup that authenticates a token ({@link #use}) stays one SQL statement on the reactive pool: it
 * reads the token with its user's role and stamps the last use (at most once a minute) in one round trip, on the hot
 * path of every API-token request, from the HTTP authentication layer, where no Hibernate session is open; a background
 * refresh of a cached token runs it beside the request's own work, which may have a session of its own on that context.
 */
@ApplicationScoped
public class ApiTokenRepository {

    private final Pool pool;

    ApiTokenRepository(Pool pool) {
        this.pool = pool;
    }

    /** What authentication needs: the token's owner and role, only while the token and its user are valid. */
    public record Grant(UUID id, String username, String tokenRole, String userRole, Integer rateLimitPerMinute) {
    }

    @WithTransaction
    public Uni<ApiToken> insert(String name, String username, String role, String hash, Integer rateLimitPerMinute,
            OffsetDateTime expiresAt) {
        ApiTokenEntity token = new ApiTokenEntity();
        token.id = UUID.randomUUID();
        token.name = name;
        token.username = username;
        token.role = role;
        token.tokenHash = hash;
        token.rateLimitPerMinute = rateLimitPerMinute;
        token.createdAt = Rows.now();
        token.expiresAt = expiresAt;
        return token.persist().map(saved -> token.view());
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

    /** Tokens of one user, or of everyone when {@code username} is null; newest first. */
    @WithSession
    public Uni<List<ApiToken>> list(String username) {
        Sort newestFirst = Sort.descending("createdAt");
        var found = username == null ? ApiTokenEntity.<ApiTokenEntity>listAll(newestFirst)
                : ApiTokenEntity.<ApiTokenEntity>list("username", newestFirst, username);
        return found.map(tokens -> tokens.stream().map(ApiTokenEntity::view).toList());
    }

    @WithSession
    public Uni<Optional<ApiToken>> find(UUID id) {
        return ApiTokenEntity.<ApiTokenEntity>findById(id).map(found -> Optional.ofNullable(found).map(ApiTokenEntity::view));
    }

    /** Revokes every live token of {@code username}; the number revoked. */
    @WithTransaction
    public Uni<Integer> revokeAllOf(String username) {
        return ApiTokenEntity.update("revokedAt = ?1 where username = ?2 and revokedAt is null", Rows.now(), username);
    }

    @WithTransaction
    public Uni<Boolean> revoke(UUID id) {
        return ApiTokenEntity.update("revokedAt = ?1 where id = ?2 and revokedAt is null", Rows.now(), id).map(revoked -> revoked > 0);
    }
}
