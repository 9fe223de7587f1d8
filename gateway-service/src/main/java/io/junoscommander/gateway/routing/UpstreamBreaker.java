package io.junoscommander.gateway.routing;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One upstream's circuit breaker: SmallRye Fault Tolerance's, named {@code upstream-<name>} (so
 * {@code CircuitBreakerMaintenance} can read or reset it). It opens after {@code failureThreshold} consecutive failures (a
 * rolling window of that many calls, all failed), refuses calls for {@code openDuration}, then lets one trial call through
 * (half-open): its success closes it, its failure opens it again.
 * <p>
 * The proxy's calls are Vert.x callbacks, not one method to wrap: the guarded action is the call's outcome, a future the
 * proxy settles once ({@link Call#succeeded()}, {@link Call#failed()}). The breaker decides at once whether the call may go
 * ahead; it counts the outcome when the future is settled.
 */
public final class UpstreamBreaker {

    /** The gauge's numbers for the states. */
    public static final int CLOSED = 0;
    public static final int OPEN = 1;
    public static final int HALF_OPEN = 2;

    private static final TypeLiteral<CompletionStage<Void>> OUTCOME = new TypeLiteral<>() {
    };
    private static final UpstreamFailure UPSTREAM_FAILED = new UpstreamFailure();

    private final String name;
    private final long openNanos;
    private final TypedGuard<CompletionStage<Void>> guard;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long openedAt;

    public UpstreamBreaker(String upstream, int failureThreshold, Duration openDuration) {
        this.name = "upstream-" + upstream;
        this.openNanos = openDuration.toNanos();
        this.guard = TypedGuard.create(OUTCOME).withCircuitBreaker().name(name).requestVolumeThreshold(failureThreshold)
                .failureRatio(1.0).successThreshold(1).delay(openDuration.toMillis(), ChronoUnit.MILLIS)
                .onStateChange(this::changed).done().build();
    }

    /** The breaker's name in SmallRye Fault Tolerance. */
    public String name() {
        return name;
    }

    /** A call that may go ahead (report its outcome once), or null when the breaker refuses it: then nothing is sent. */
    public Call tryCall() {
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        // a refusal is decided synchronously; a call let through completes only when its outcome is settled
        CompletableFuture<Void> guarded = guard.get(() -> outcome).toCompletableFuture();
        return guarded.isCompletedExceptionally() ? null : new Call(outcome);
    }

    /** How long until the breaker lets a trial call through: the rest of the open time, 1 s while a trial is under way. */
    public Duration retryAfter() {
        if (state == CircuitBreakerState.OPEN) {
            long left = openNanos - (System.nanoTime() - openedAt);
            return left > 0 ? Duration.ofNanos(left) : Duration.ofSeconds(1);
        }
        return Duration.ofSeconds(1);
    }

    public CircuitBreakerState state() {
        return state;
    }

    /** The {@code gateway_upstream_circuit_state} value: 0 closed, 1 open, 2 half-open. */
    public int gauge() {
        CircuitBreakerState current = state;
        return current == CircuitBreakerState.OPEN ? OPEN : current == CircuitBreakerState.HALF_OPEN ? HALF_OPEN : CLOSED;
    }

    private void changed(CircuitBreakerState next) {
        if (next == CircuitBreakerState.OPEN) {
            openedAt = System.nanoTime();
        }
        state = next;
    }

    /** One call the breaker let through. Settling it again is a no-op: the first outcome counts. */
    public static final class Call {

        private final CompletableFuture<Void> outcome;

        private Call(CompletableFuture<Void> outcome) {
            this.outcome = outcome;
        }

        /** The upstream answered (anything but a 5xx other than 501), or the call ended for a reason not the upstream's. */
        public void succeeded() {
            outcome.complete(null);
        }

        /** A connection error, a timeout or a 5xx (not 501). */
        public void failed() {
            outcome.completeExceptionally(UPSTREAM_FAILED);
        }
    }

    /** The failure the breaker counts: one instance without a stack trace, never thrown or shown. */
    private static final class UpstreamFailure extends Exception {

        private static final long serialVersionUID = 1L;

        UpstreamFailure() {
            super("upstream call failed", null, false, false);
        }
    }
}
