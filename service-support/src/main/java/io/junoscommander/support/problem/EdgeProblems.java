package io.junoscommander.support.problem;

import io.junoscommander.support.requestid.RequestIdHandler;
import io.junoscommander.support.requestid.RequestIds;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * problem+json for what Vert.x and Quarkus refuse below the REST layer, in every service: a request target that is no URI
 * (a malformed percent-escape), an HTTP/1.1 request without Host, a too-long request target (414), too-large headers (431)
 * and a too-large body (413). Vert.x's own answers to these are an empty body; here the limits are checked by the first
 * handler of the router (right after the request id), and what Vert.x-web still fails by itself (the missing Host) is
 * written by a failure handler that runs before Quarkus's.
 *
 * <p>Quarkus's own URI check (an empty 400 before the router) is handed over to this class by
 * {@link io.junoscommander.support.config.UriValidationHandover}; the decoder limits of Netty are set well above the limits
 * checked here ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}), so a request beyond these
 * limits still reaches this handler. Only a request beyond the decoder limits too (64 KiB) gets Vert.x's empty answer.
 */
@ApplicationScoped
public class EdgeProblems {

    /** Right after the request id, before Quarkus's upload limit, security and REST. */
    public static final int ORDER = RequestIdHandler.ORDER + 1;

    private static final Set<Integer> EDGE_STATUSES = Set.of(400, 413, 414, 431);

    private final long maxBody;
    private final int maxTarget;
    private final long maxHeaders;

    EdgeProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBody,
            HttpLimits limits) {
        this.maxBody = maxBody.asLongValue();
        this.maxTarget = limits.maxRequestTarget();
        this.maxHeaders = limits.maxHeaderSize().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(RequestIdHandler.ORDER - 1).failureHandler(this::failed);
        router.route().order(ORDER).handler(this::check);
    }

    /** The management interface (health, metrics) too: Quarkus's URI check is off for it as well. */
    void installOnManagement(@Observes ManagementInterface management) {
        management.router().route().order(RequestIdHandler.ORDER - 1).failureHandler(this::failed);
        management.router().route().order(ORDER).handler(this::check);
    }

    void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String host = request.getHeader("Host");
        if (request.version() == HttpVersion.HTTP_1_1 && (host == null || host.isBlank())) {
            // Vert.x passes a request without Host on with an empty one
            send(context, 400, "bad-request", "Bad request", "The request has no Host header (required in HTTP/1.1)");
            return;
        }
        String target = request.uri();
        if (target.length() > maxTarget) {
            send(context, 414, "uri-too-long", "URI too long", "The request target is longer than " + maxTarget + " characters");
            return;
        }
        try {
            new URI(target);
        } catch (URISyntaxException e) {
            send(context, 400, "bad-request", "Bad request",
                    "The request target is not a valid URI (a malformed percent-escape, or a character that must be percent-encoded)");
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > maxHeaders) {
            send(context, 431, "headers-too-large", "Request header fields too large",
                    "The request headers are larger than " + maxHeaders + " bytes");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared < 0) {
                send(context, 400, "bad-request", "Bad request", "The Content-Length header is not a number");
                return;
            }
            if (declared > maxBody) {
                tooLarge(context, maxBody);
                return;
            }
        }
        context.next();
    }

    /**
     * 413 for a body over {@code limit}, then the connection is closed: the rest of the body is never read (HTTP/1.x; an
     * HTTP/2 stream is reset by Vert.x when its request ends unread).
     */
    public static void tooLarge(RoutingContext context, long limit) {
        HttpServerRequest request = context.request();
        if (request.version() != HttpVersion.HTTP_2) {
            context.response().putHeader("Connection", "close");
            context.response().endHandler(ended -> request.connection().close());
        }
        send(context, 413, "payload-too-large", "Payload too large", "The request body is larger than " + limit + " bytes");
    }

    /** What Vert.x-web (or Quarkus's body limit) failed with a bare status, before any handler of ours ran. */
    void failed(RoutingContext context) {
        Throwable failure = context.failure();
        boolean bare = failure == null || failure instanceof VertxException || failure instanceof HttpException;
        if (!bare || !EDGE_STATUSES.contains(context.statusCode()) || context.response().ended()) {
            context.next();
            return;
        }
        HttpServerRequest request = context.request();
        switch (context.statusCode()) {
            case 413 -> tooLarge(context, maxBody);
            case 414 -> send(context, 414, "uri-too-long", "URI too long", "The request target is too long");
            case 431 -> send(context, 431, "headers-too-large", "Request header fields too large", "The request headers are too large");
            default -> send(context, 400, "bad-request", "Bad request", request.authority() == null
                    ? "The request has no Host header (required in HTTP/1.1)" : "The request is malformed");
        }
    }

    private static void send(RoutingContext context, int status, String slug, String title, String detail) {
        HttpServerRequest request = context.request();
        if (request.getHeader(RequestIds.HEADER) == null) {
            // refused before the request-id handler ran
            String id = RequestIds.acceptOrGenerate(null);
            request.headers().set(RequestIds.HEADER, id);
            context.response().putHeader(RequestIds.HEADER, id);
        }
        RouteProblems.send(context, status, slug, title, detail, List.of(), Map.of());
    }
}
