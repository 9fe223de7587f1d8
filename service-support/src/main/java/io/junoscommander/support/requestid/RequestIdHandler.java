package io.junoscommander.support.requestid;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

/**
 * First handler of every HTTP request, on the public and the management port: fixes the request id, puts it in the logging context
 * and echoes it in the response. Downstream calls read it from the request headers.
 */
@ApplicationScoped
public class RequestIdHandler {

    /** Before Quarkus's own handlers (body, REST, health) so every answer carries the id. */
    public static final int ORDER = -10_000;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    /** Health and metrics on the management port carry the id too. */
    void installOnManagement(@Observes ManagementInterface management) {
        management.router().route().order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String offered = context.request().getHeader(RequestIds.HEADER);
        String id = RequestIds.acceptOrGenerate(offered);
        if (!id.equals(offered)) {
            context.request().headers().set(RequestIds.HEADER, id);
        }
        MDC.put(RequestIds.MDC_KEY, id);
        context.response().putHeader(RequestIds.HEADER, id);
        context.next();
    }
}
