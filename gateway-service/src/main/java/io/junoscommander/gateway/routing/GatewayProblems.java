package io.junoscommander.gateway.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.support.problem.Problem;
import io.junoscommander.support.requestid.RequestIds;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** problem+json written straight to a Vert.x response, for the routed paths (outside JAX-RS and its mappers). */
final class GatewayProblems {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayProblems() {
    }

    static void send(RoutingContext context, int status, String slug, String title, String detail, Long retryAfterSeconds) {
        if (context.response().ended() || context.response().closed()) {
            // answered already (e.g. by Quarkus's failure handler)
            return;
        }
        if (context.response().headWritten()) {
            // a stream broke half-way: the client must see it broken, not a truncated success
            context.response().reset();
            return;
        }
        Problem problem = new Problem(Problem.type(slug), title, status, detail, context.request().path(), RequestIds.of(context.request()),
                List.of());
        String body;
        try {
            body = JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + "}";
        }
        var response = context.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        if (retryAfterSeconds != null) {
            response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.end(body);
    }
}
