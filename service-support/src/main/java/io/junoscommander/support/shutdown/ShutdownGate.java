package io.junoscommander.support.shutdown;

import io.junoscommander.support.problem.RouteProblems;
import io.junoscommander.support.requestid.RequestIdHandler;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The public port's side of a graceful shutdown. On SIGTERM Quarkus turns readiness DOWN at once and waits
 * {@code SHUTDOWN_DELAY} (requests a load balancer still routes here are served), then waits up to {@code SHUTDOWN_TIMEOUT}
 * for the requests in flight. Quarkus itself would still serve new requests in that second phase; this gate answers them
 * {@code 503} problem+json with {@code Retry-After} and {@code Connection: close} instead, so no new work starts on a replica
 * that is going away and a client retries elsewhere. Requests already in flight are not touched.
 */
@ApplicationScoped
public class ShutdownGate {

    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);

    private final Duration delay;
    private final Duration timeout;
    private volatile boolean draining;
    private volatile long refuseFromNanos;

    ShutdownGate(@ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> timeout) {
        this.delay = delay.orElse(Duration.ZERO);
        this.timeout = timeout.orElse(Duration.ZERO);
    }

    void install(@Observes Router router) {
        router.route().order(RequestIdHandler.ORDER + 2).handler(this::handle);
    }

    /** SIGTERM: readiness is DOWN from now; new requests are refused once the shutdown delay is over. */
    void shutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        refuseFromNanos = System.nanoTime() + delay.toNanos();
        draining = true;
        LOG.infof("shutting down: readiness DOWN; new requests refused with 503 after %d ms, requests in flight finish",
                delay.toMillis());
    }

    /**
     * How much of {@code SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT} (counted from SIGTERM) is left: what background work still running
     * at shutdown (a backup) may take to finish before it is interrupted.
     */
    public Duration timeLeft() {
        if (!draining) {
            return timeout;
        }
        long left = refuseFromNanos + timeout.toNanos() - System.nanoTime();
        return Duration.ofNanos(Math.max(0, left));
    }

    /** Whether new requests are refused now. */
    public boolean refusing() {
        return draining && System.nanoTime() - refuseFromNanos >= 0;
    }

    void handle(RoutingContext context) {
        if (!refusing()) {
            context.next();
            return;
        }
        RouteProblems.send(context, 503, "shutting-down", "Service shutting down",
                "this replica is shutting down and takes no new requests; retry, another replica answers", List.of(),
                Map.of("Retry-After", "1", "Connection", "close"));
    }
}
