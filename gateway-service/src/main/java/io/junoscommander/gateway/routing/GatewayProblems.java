package io.junoscommander.gateway.routing;

import io.junoscommander.support.problem.RouteProblems;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** problem+json for the routed paths (outside JAX-RS and its mappers), with the gateway's 401 and Retry-After headers. */
final class GatewayProblems {

    private GatewayProblems() {
    }

    static void send(RoutingContext context, int status, String slug, String title, String detail, Long retryAfterSeconds) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (status == 401) {
            headers.put("WWW-Authenticate", "Bearer");
        }
        if (retryAfterSeconds != null) {
            headers.put("Retry-After", Long.toString(retryAfterSeconds));
        }
        RouteProblems.send(context, status, slug, title, detail, List.of(), headers);
    }
}
