package io.junoscommander.gateway.security;

import io.junoscommander.gateway.GatewayConfig;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads the gateway's own bearer tokens ({@code jcs_…} sessions, {@code jct_…} API tokens) from {@code Authorization: Bearer}
 * or the session cookie. Any other bearer value is left to the next mechanism, SmallRye JWT, which accepts only internal
 * tokens signed with the platform key (services calling back through the gateway).
 */
@ApplicationScoped
public class GatewayAuthenticationMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "bearer ";

    private final String cookieName;

    GatewayAuthenticationMechanism(GatewayConfig config) {
        this.cookieName = config.session().cookieName();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String token = token(context);
        if (token == null) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new GatewayTokenRequest(token), context));
    }

    /** The gateway token of this request, or null when it carries none. */
    String token(RoutingContext context) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String value = header.substring(BEARER.length()).strip();
            return Tokens.isGatewayToken(value) ? value : null;
        }
        Cookie cookie = context.request().getCookie(cookieName);
        if (cookie != null && cookie.getValue().startsWith(Tokens.SESSION_PREFIX)) {
            return cookie.getValue();
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(GatewayTokenRequest.class);
    }

    @Override
    public int getPriority() {
        // before SmallRye JWT (default priority), which would reject an opaque token
        return DEFAULT_PRIORITY + 1000;
    }
}
