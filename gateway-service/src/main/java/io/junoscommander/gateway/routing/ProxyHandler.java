package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.audit.AuditRecorder;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.junoscommander.gateway.security.InternalTokenCache;
import io.junoscommander.gateway.session.RedisUnavailableException;
import io.junoscommander.support.problem.EdgeProblems;
import io.junoscommander.support.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The reverse proxy for the routed paths: authenticate (session, API token or internal token), check the route's role,
 * take a token from the caller's rate-limit bucket, ask the upstream's breaker, then stream the request body to the upstream
 * and its response back, chunk by chunk (SSE included), with the caller's identity as a fresh internal token. Retries only
 * GET/HEAD/OPTIONS without a body, on connection errors and 502/503/504.
 */
@ApplicationScoped
public class ProxyHandler {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);

    /** Not forwarded in either direction (RFC 9110 §7.6.1), plus what the gateway replaces. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "expect", "proxy-connection");
    private static final Set<String> REQUEST_DROPPED = Set.of("authorization", "cookie", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host");
    private static final Set<Integer> RETRY_STATUSES = Set.of(502, 503, 504);

    private final RouteTable routes;
    private final Upstreams upstreams;
    private final RateLimiter rateLimiter;
    private final InternalTokenCache tokens;
    private final IdentityProviderManager identities;
    private final MeterRegistry meters;
    private final Vertx vertx;

    ProxyHandler(RouteTable routes, Upstreams upstreams, RateLimiter rateLimiter, InternalTokenCache tokens,
            IdentityProviderManager identities, MeterRegistry meters, Vertx vertx) {
        this.routes = routes;
        this.upstreams = upstreams;
        this.rateLimiter = rateLimiter;
        this.tokens = tokens;
        this.identities = identities;
        this.meters = meters;
        this.vertx = vertx;
    }

    void install(@Observes Router router) {
        // after Quarkus's authentication filter (negative orders), before the REST layer
        router.route().order(1_000).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String method = context.request().method().name();
        String path = context.normalizedPath();
        var decision = routes.decide(method, path);
        if (decision.isEmpty()) {
            context.next();
            return;
        }
        context.put(AuditRecorder.ACTION, decision.get().action());
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long limit = RouteTable.maxBody(decision.get().route(), path);
        if (length != null && Long.parseLong(length.trim()) > limit) {
            // before authentication and before any upstream connection: the body is never read (EdgeProblems checked it is a number)
            EdgeProblems.tooLarge(context, limit);
            return;
        }
        context.request().pause();
        Context vertxContext = Vertx.currentContext();
        // a cached credential resolves at once, on this event loop: no hop through the context's task queue then
        QuarkusHttpUser.getSecurityIdentity(context, identities).subscribe().with(
                identity -> onContext(vertxContext, () -> authorize(context, decision.get(), GatewayPrincipal.of(identity), path)),
                failure -> onContext(vertxContext, () -> refused(context, failure)));
    }

    private static void onContext(Context vertxContext, Runnable action) {
        if (Vertx.currentContext() == vertxContext) {
            action.run();
        } else {
            vertxContext.runOnContext(v -> action.run());
        }
    }

    /** Authentication failed: 401, or 503 with Retry-After when the credential's store could not be reached. */
    private static void refused(RoutingContext context, Throwable failure) {
        ProblemException unavailable = unavailable(failure);
        if (unavailable != null) {
            GatewayProblems.send(context, unavailable.status(), unavailable.slug(), unavailable.title(), unavailable.getMessage(),
                    RedisUnavailableException.RETRY_AFTER_SECONDS);
            return;
        }
        GatewayProblems.send(context, 401, "unauthorized", "Unauthorized", "A valid session or API token is required", null);
    }

    private static ProblemException unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProblemException problem && problem.status() == 503) {
                return problem;
            }
        }
        return null;
    }

    private void authorize(RoutingContext context, RouteTable.Decision decision, GatewayPrincipal principal, String path) {
        if (principal == null) {
            GatewayProblems.send(context, 401, "unauthorized", "Unauthorized", "A valid session or API token is required", null);
            return;
        }
        context.put(AuditRecorder.PRINCIPAL, principal);
        if (!principal.has(decision.role())) {
            GatewayProblems.send(context, 403, "forbidden", "Forbidden", "Your role does not allow " + context.request().method() + " "
                    + path + " (needs " + decision.role() + ")", null);
            return;
        }
        Duration wait = rateLimiter.take(principal);
        if (!wait.isZero()) {
            GatewayProblems.send(context, 429, "rate-limited", "Too many requests",
                    "Rate limit reached for " + principal.username() + "; retry later", seconds(wait));
            return;
        }
        forward(context, decision, principal, path, 0);
    }

    private void forward(RoutingContext context, RouteTable.Decision decision, GatewayPrincipal principal, String path, int attempt) {
        HttpServerRequest request = context.request();
        RouteTable.Route route = decision.route();
        Upstreams.Upstream upstream = upstreams.get(route.upstream());
        UpstreamBreaker.Call call = upstream.breaker().tryCall();
        if (call == null) {
            count(upstream, "circuit-open");
            GatewayProblems.send(context, 503, "upstream-unavailable", "Service unavailable",
                    upstream.name() + " is failing; the gateway stopped calling it for a while", seconds(upstream.breaker().retryAfter()));
            return;
        }
        String method = request.method().name();
        boolean hasBody = request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || (request.headers().contains(HttpHeaders.CONTENT_LENGTH) && !"0".equals(request.getHeader(HttpHeaders.CONTENT_LENGTH)));
        boolean retryable = RouteTable.READ_METHODS.contains(method) && !hasBody && attempt < route.config().retries();

        String uri = upstream.base().getRawPath() + route.upstreamPath(path) + (request.query() == null ? "" : "?" + request.query());
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(upstream.base().getHost())
                .setPort(upstream.base().getPort() > 0 ? upstream.base().getPort() : 80).setURI(uri);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !REQUEST_DROPPED.contains(name)) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.tokenFor(principal));
        String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (client != null) {
            headers.set("X-Forwarded-For", client);
        }
        headers.set("X-Forwarded-Proto", request.scheme());
        if (request.authority() != null) {
            headers.set("X-Forwarded-Host", request.authority().toString());
        }
        options.setHeaders(headers);

        AtomicBoolean settled = new AtomicBoolean();
        long timeoutMs = route.config().timeout().toMillis();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (settled.compareAndSet(false, true)) {
                call.failed();
                count(upstream, "timeout");
                if (sent[0] != null) {
                    sent[0].reset();
                }
                GatewayProblems.send(context, 504, "upstream-timeout", "Gateway timeout",
                        upstream.name() + " did not answer within " + route.config().timeout().toMillis() + " ms", null);
            }
        });

        upstream.client().request(options).onComplete(opened -> {
            if (opened.failed()) {
                failed(context, decision, principal, path, attempt, upstream, call, retryable, settled, timer, opened.cause());
                return;
            }
            HttpClientRequest outbound = opened.result();
            sent[0] = outbound;
            if (hasBody && !request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                outbound.setChunked(true);
            }
            ReadStream<Buffer> body = request;
            if (hasBody && !request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                // no length to refuse it by up front: counted as it streams, cut off at the route's limit
                long limit = RouteTable.maxBody(route, path);
                body = new LimitedBody(request, limit, () -> {
                    if (settled.compareAndSet(false, true)) {
                        vertx.cancelTimer(timer);
                        // the caller's fault, not the upstream's: the call is settled before the reset fails it
                        call.succeeded();
                        EdgeProblems.tooLarge(context, limit);
                        outbound.reset();
                    }
                });
            }
            var response = hasBody ? outbound.send(body) : outbound.send();
            if (!hasBody) {
                request.resume();
            }
            response.onComplete(answered -> {
                if (answered.failed()) {
                    failed(context, decision, principal, path, attempt, upstream, call, retryable, settled, timer, answered.cause());
                    return;
                }
                HttpClientResponse upstreamResponse = answered.result();
                int status = upstreamResponse.statusCode();
                if (status >= 500 && status != 501) {
                    call.failed();
                } else {
                    call.succeeded();
                }
                if (!settled.compareAndSet(false, true)) {
                    upstreamResponse.request().reset();
                    return;
                }
                vertx.cancelTimer(timer);
                if (retryable && RETRY_STATUSES.contains(status)) {
                    count(upstream, "retried");
                    upstreamResponse.body().onComplete(discarded -> forward(context, decision, principal, path, attempt + 1));
                    return;
                }
                count(upstream, status >= 500 ? "error" : "ok");
                relay(context, outbound, upstreamResponse);
            });
        });
    }

    private void failed(RoutingContext context, RouteTable.Decision decision, GatewayPrincipal principal, String path, int attempt,
            Upstreams.Upstream upstream, UpstreamBreaker.Call call, boolean retryable, AtomicBoolean settled, long timer, Throwable cause) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(timer);
        call.failed();
        if (retryable) {
            count(upstream, "retried");
            forward(context, decision, principal, path, attempt + 1);
            return;
        }
        count(upstream, "unreachable");
        LOG.warnf("upstream %s unreachable for %s %s: %s", upstream.name(), context.request().method(), path, cause.getMessage());
        GatewayProblems.send(context, 502, "upstream-unreachable", "Bad gateway", upstream.name() + " could not be reached", null);
    }

    /** Status, headers, then the body as it comes: nothing is buffered whole. */
    private static void relay(RoutingContext context, HttpClientRequest outbound, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = context.response();
        response.setStatusCode(upstreamResponse.statusCode());
        if (upstreamResponse.statusMessage() != null) {
            response.setStatusMessage(upstreamResponse.statusMessage());
        }
        upstreamResponse.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !"x-request-id".equals(name)) {
                response.headers().add(h.getKey(), h.getValue());
            }
        });
        if (!upstreamResponse.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        // a pipe, written out because the client may leave mid-body: then the upstream call is reset and what is still in
        // flight from it is dropped, rather than written to a response that is gone
        response.closeHandler(closed -> outbound.reset());
        // a client leaving mid-body can also surface as a connection reset: expected, handled by the close handler above
        response.exceptionHandler(failure -> outbound.reset());
        upstreamResponse.handler(chunk -> {
            if (gone(response)) {
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                upstreamResponse.pause();
                response.drainHandler(drained -> upstreamResponse.resume());
            }
        });
        // an upstream that fails mid-body must not look like a complete answer: the client's connection is reset
        upstreamResponse.exceptionHandler(failure -> {
            if (!gone(response)) {
                response.reset();
            }
        });
        upstreamResponse.endHandler(ended -> {
            if (!gone(response)) {
                response.end();
            }
        });
    }

    private static boolean gone(HttpServerResponse response) {
        return response.ended() || response.closed();
    }

    private void count(Upstreams.Upstream upstream, String outcome) {
        meters.counter("gateway.upstream.requests", "upstream", upstream.name(), "outcome", outcome).increment();
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
