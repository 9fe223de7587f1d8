package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.audit.AuditRecorder;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.junoscommander.support.problem.ProblemException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** The same per-user/per-token bucket for the gateway's own APIs (users, tokens, audit, auth) as for routed paths. */
public class RestRateLimitFilter {

    private final RateLimiter rateLimiter;
    private final CurrentIdentityAssociation identities;
    private final CurrentVertxRequest request;

    RestRateLimitFilter(RateLimiter rateLimiter, CurrentIdentityAssociation identities, CurrentVertxRequest request) {
        this.rateLimiter = rateLimiter;
        this.identities = identities;
        this.request = request;
    }

    @ServerRequestFilter
    public Uni<Response> limit() {
        var context = request.getCurrent();
        if (context == null || !context.request().path().startsWith("/api/")) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity().onFailure().recoverWithNull().flatMap(identity -> {
            GatewayPrincipal principal = GatewayPrincipal.of(identity);
            if (principal == null) {
                return Uni.createFrom().nullItem();
            }
            context.put(AuditRecorder.PRINCIPAL, principal);
            java.time.Duration wait = rateLimiter.take(principal);
            if (wait.isZero()) {
                return Uni.createFrom().nullItem();
            }
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return Uni.createFrom().failure(new ProblemException(429, "rate-limited", "Too many requests", "Rate limit reached for "
                    + principal.username() + "; retry later", List.of()).withHeader("Retry-After", Long.toString(seconds)));
        });
    }
}
