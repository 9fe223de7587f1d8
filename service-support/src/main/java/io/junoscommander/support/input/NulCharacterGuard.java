package io.junoscommander.support.input;

import io.junoscommander.support.problem.Problem;
import io.junoscommander.support.problem.RouteProblems;
import io.junoscommander.support.requestid.RequestIdHandler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses a NUL character ({@code %00}) anywhere in the path or the query of a request to the public port, before any
 * resource or route sees it: PostgreSQL cannot store NUL in text, and no identifier, filter or name of this product
 * contains one. JSON bodies are guarded by {@link StrictJsonCustomizer}.
 */
@ApplicationScoped
public class NulCharacterGuard {

    public static final String MESSAGE = "must not contain a NUL character";

    void install(@Observes Router router) {
        router.route().order(RequestIdHandler.ORDER + 1).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String uri = context.request().uri();
        if (uri == null || !uri.toLowerCase(Locale.ROOT).contains("%00")) {
            context.next();
            return;
        }
        String field = offendingField(uri);
        RouteProblems.send(context, 400, "validation", "Invalid request", field + ": " + MESSAGE,
                List.of(new Problem.FieldError(field, MESSAGE)), Map.of());
    }

    /** The query parameter whose name or value holds the NUL, or "path". */
    static String offendingField(String uri) {
        int query = uri.indexOf('?');
        if (query < 0 || uri.substring(0, query).toLowerCase(Locale.ROOT).contains("%00")) {
            return "path";
        }
        for (String pair : uri.substring(query + 1).split("&")) {
            if (pair.toLowerCase(Locale.ROOT).contains("%00")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                return name.isEmpty() || name.toLowerCase(Locale.ROOT).contains("%00") ? "query" : name;
            }
        }
        return "query";
    }
}
