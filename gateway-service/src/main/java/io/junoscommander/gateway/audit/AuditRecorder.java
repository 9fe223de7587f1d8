package io.junoscommander.gateway.audit;

import io.junoscommander.gateway.routing.RouteTable;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.junoscommander.support.requestid.RequestIds;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Records every mutating API request, gateway's own and routed alike, once its answer is sent: in PostgreSQL and on the
 * {@code audit} logger. Device commands and config pushes carry their own action names (see {@link RouteTable}).
 * Recording never delays or fails the request; a failed insert is logged on the audit logger, which still has the event.
 */
@ApplicationScoped
public class AuditRecorder {

    /** Routing-context key: the caller, put there by the gateway's authentication steps. */
    public static final String PRINCIPAL = "junoscommander.audit.principal";
    /** Routing-context key: a user name for requests without a principal (a login attempt). */
    public static final String ACTOR = "junoscommander.audit.actor";
    /** Routing-context key: the action name, when the route table chose one. */
    public static final String ACTION = "junoscommander.audit.action";

    private static final Logger AUDIT = Logger.getLogger("audit");
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final AuditRepository repository;
    private final RouteTable routes;

    AuditRecorder(AuditRepository repository, RouteTable routes) {
        this.repository = repository;
        this.routes = routes;
    }

    void install(@Observes Router router) {
        // right after the request id handler
        router.routeWithRegex("/api/.*").order(-9_000).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String method = context.request().method().name();
        if (!READS.contains(method)) {
            OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
            String path = context.request().path();
            String requestId = RequestIds.of(context.request());
            String address = context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress();
            context.addEndHandler(done -> record(context, at, method, path, requestId, address));
        }
        context.next();
    }

    private void record(RoutingContext context, OffsetDateTime at, String method, String path, String requestId, String address) {
        GatewayPrincipal principal = context.get(PRINCIPAL);
        if (principal == null && context.user() instanceof QuarkusHttpUser user) {
            principal = GatewayPrincipal.of(user.getSecurityIdentity());
        }
        String actor = principal != null ? principal.username() : context.get(ACTOR) != null ? context.get(ACTOR) : "anonymous";
        String action = context.get(ACTION) != null ? context.get(ACTION) : routes.auditAction(method, path);
        int status = context.response().getStatusCode();
        String result = status < 400 ? "success" : status == 401 || status == 403 ? "denied" : "failure";
        AuditEvent event = new AuditEvent(null, at, truncate(actor, 64), principal == null ? null : principal.role(),
                principal == null ? null : principal.credential(), action, method, truncate(path, 2000), status, result, requestId,
                address);
        AUDIT.infof("actor=%s role=%s credential=%s action=%s method=%s target=%s status=%d result=%s requestId=%s address=%s",
                event.actor(), event.role(), event.credential(), event.action(), method, event.target(), status, result, requestId,
                address);
        // a Hibernate session of its own, on a context of its own: the request's session may still be at work when its
        // connection closes early
        Context isolated = VertxContext.createNewDuplicatedContext(context.vertx().getOrCreateContext());
        isolated.runOnContext(ignored -> {
            VertxContextSafetyToggle.setCurrentContextSafe(true);
            repository.insert(event).subscribe().with(ok -> {
            }, e -> AUDIT.errorf("audit event not stored (requestId=%s): %s", requestId, e.getMessage()));
        });
    }

    private static String truncate(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}
