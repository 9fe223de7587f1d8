package io.junoscommander.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.support.requestid.RequestIds;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * problem+json written straight to a Vert.x response, for what answers below JAX-RS and its mappers (route handlers that
 * refuse a request before it reaches a resource, the gateway's routed paths).
 */
public final class RouteProblems {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RouteProblems() {
    }

    public static void send(RoutingContext context, int status, String slug, String title, String detail,
            List<Problem.FieldError> errors, Map<String, String> headers) {
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
                errors);
        String body;
        try {
            body = JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + "}";
        }
        var response = context.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        headers.forEach(response::putHeader);
        response.end(body);
    }
}
