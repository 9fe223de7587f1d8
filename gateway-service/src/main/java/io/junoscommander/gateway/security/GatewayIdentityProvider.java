package io.junoscommander.gateway.security;

import io.junoscommander.gateway.session.RedisUnavailableException;
import io.junoscommander.gateway.session.SessionStore;
import io.junoscommander.gateway.token.ApiTokenRepository;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Resolves a gateway token to an identity: sessions from Redis (sliding expiry), API tokens from PostgreSQL, both through
 * the replica's {@link CredentialCache}. A cached credential is served without a round trip and confirmed again in the
 * background (which slides the session's expiry); while its store is unreachable, a known credential is served from the
 * cache and an unknown one is answered 503 with {@code Retry-After}.
 */
@ApplicationScoped
public class GatewayIdentityProvider implements IdentityProvider<GatewayTokenRequest> {

    private static final Logger LOG = Logger.getLogger(GatewayIdentityProvider.class);

    private final SessionStore sessions;
    private final ApiTokenRepository tokens;
    private final CredentialCache cache;

    GatewayIdentityProvider(SessionStore sessions, ApiTokenRepository tokens, CredentialCache cache) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.cache = cache;
    }

    @Override
    public Class<GatewayTokenRequest> getRequestType() {
        return GatewayTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(GatewayTokenRequest request, AuthenticationRequestContext context) {
        String token = request.token();
        String hash = Tokens.sha256(token);
        boolean session = token.startsWith(Tokens.SESSION_PREFIX);
        CredentialCache.Entry entry = cache.get(hash);
        switch (cache.state(entry)) {
            case FRESH -> {
                cache.hit();
                return Uni.createFrom().item(entry.identity());
            }
            case REFRESH -> {
                cache.hit();
                if (entry.startRefresh()) {
                    load(hash, session).subscribe().with(ok -> entry.refreshDone(), e -> entry.refreshDone());
                }
                return Uni.createFrom().item(entry.identity());
            }
            case SUSPECT -> {
                // invalidations may have been missed: the store decides; if it cannot be reached, the cached entry does
                return load(hash, session).onFailure(e -> !(e instanceof AuthenticationFailedException)).recoverWithItem(e -> {
                    cache.staleServed();
                    return entry.identity();
                });
            }
            default -> {
                cache.miss();
                return load(hash, session);
            }
        }
    }

    /** Asks the store and caches its answer; fails with AuthenticationFailedException when it no longer knows the token. */
    private Uni<SecurityIdentity> load(String hash, boolean session) {
        long started = cache.loadStarted();
        Uni<Optional<GatewayPrincipal>> found = session
                ? sessions.touch(hash).map(s -> s.map(v -> new GatewayPrincipal(v.username(), v.role(), GatewayPrincipal.SESSION, hash, 0)))
                : tokens.use(hash).map(t -> t.map(grant -> new GatewayPrincipal(grant.username(),
                        lower(grant.tokenRole(), grant.userRole()), GatewayPrincipal.API_TOKEN, grant.id().toString(),
                        grant.rateLimitPerMinute() == null ? 0 : grant.rateLimitPerMinute())))
                        .onFailure().transform(GatewayIdentityProvider::tokenStoreUnavailable);
        return found.map(principal -> {
            if (principal.isEmpty()) {
                cache.remove(hash);
                throw new AuthenticationFailedException(session ? "no session" : "no token");
            }
            SecurityIdentity identity = identity(principal.get());
            cache.put(hash, principal.get(), identity, started);
            return identity;
        });
    }

    private static Throwable tokenStoreUnavailable(Throwable e) {
        LOG.warnf("API token lookup failed (PostgreSQL unreachable?): %s", e.getMessage());
        return new ProblemException(503, "token-store-unavailable", "Token store unavailable",
                "API tokens are checked in the database, which is unreachable for the moment; retry in "
                        + RedisUnavailableException.RETRY_AFTER_SECONDS + " s", List.of())
                .withHeader("Retry-After", Long.toString(RedisUnavailableException.RETRY_AFTER_SECONDS));
    }

    /** A token never carries more than its user holds today. */
    private static String lower(String a, String b) {
        return Roles.ALL.indexOf(a) <= Roles.ALL.indexOf(b) ? a : b;
    }

    static SecurityIdentity identity(GatewayPrincipal principal) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(principal.username())).addRoles(principal.roles())
                .addAttribute(GatewayPrincipal.ATTRIBUTE, principal).build();
    }
}
