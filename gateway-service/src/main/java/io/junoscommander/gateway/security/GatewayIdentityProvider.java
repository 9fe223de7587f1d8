package io.junoscommander.gateway.security;

import io.junoscommander.gateway.session.SessionStore;
import io.junoscommander.gateway.token.ApiTokenRepository;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Resolves a gateway token to an identity: sessions from Redis (sliding expiry), API tokens from PostgreSQL. */
@ApplicationScoped
public class GatewayIdentityProvider implements IdentityProvider<GatewayTokenRequest> {

    private final SessionStore sessions;
    private final ApiTokenRepository tokens;

    GatewayIdentityProvider(SessionStore sessions, ApiTokenRepository tokens) {
        this.sessions = sessions;
        this.tokens = tokens;
    }

    @Override
    public Class<GatewayTokenRequest> getRequestType() {
        return GatewayTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(GatewayTokenRequest request, AuthenticationRequestContext context) {
        String token = request.token();
        String hash = Tokens.sha256(token);
        if (token.startsWith(Tokens.SESSION_PREFIX)) {
            return sessions.touch(hash).map(found -> found.map(session -> identity(new GatewayPrincipal(session.username(),
                    session.role(), GatewayPrincipal.SESSION, hash, 0, session.rateLimitWaitMs())))
                    .orElseThrow(() -> new AuthenticationFailedException("no session")));
        }
        return tokens.use(hash).map(found -> found.map(grant -> identity(new GatewayPrincipal(grant.username(),
                lower(grant.tokenRole(), grant.userRole()), GatewayPrincipal.API_TOKEN, grant.id().toString(),
                grant.rateLimitPerMinute() == null ? 0 : grant.rateLimitPerMinute(), -1)))
                .orElseThrow(() -> new AuthenticationFailedException("no token")));
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
