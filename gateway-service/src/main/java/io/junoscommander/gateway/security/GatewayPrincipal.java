package io.junoscommander.gateway.security;

import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.Set;

/**
 * Who is calling, as the gateway knows it: the user, the highest role this credential carries, and which credential
 * (a session, an API token, or an internal token of another service).
 *
 * @param credentialId the session's SHA-256 or the API token's id
 * @param rateLimitPerMinute a per-token limit below the global one, or 0
 */
public record GatewayPrincipal(String username, String role, String credential, String credentialId, int rateLimitPerMinute) {

    public static final String ATTRIBUTE = "junoscommander.principal";
    public static final String SESSION = "session";
    public static final String API_TOKEN = "api-token";
    public static final String INTERNAL = "internal-token";

    public Set<String> roles() {
        return Roles.expand(Set.of(role));
    }

    public boolean has(String needed) {
        return roles().contains(needed);
    }

    /** The principal of an authenticated identity; for an internal token, built from its groups. */
    public static GatewayPrincipal of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return null;
        }
        GatewayPrincipal principal = identity.getAttribute(ATTRIBUTE);
        if (principal != null) {
            return principal;
        }
        String highest = null;
        for (String role : Roles.ALL) {
            if (identity.getRoles().contains(role)) {
                highest = role;
            }
        }
        return highest == null ? null : new GatewayPrincipal(identity.getPrincipal().getName(), highest, INTERNAL, null, 0);
    }
}
