package io.junoscommander.gateway.routing;

import java.time.Duration;

/**
 * A named breaker per upstream. CLOSED counts consecutive failures; at the threshold it OPENs and refuses calls for the open
 * duration; then one trial call is let through (HALF_OPEN): success closes it, failure opens it again. Thread-safe.
 */
public final class CircuitBreaker {

    /** The states, with the numbers the {@code gateway_upstream_circuit_state} gauge reports. */
    public enum State {
        CLOSED(0), OPEN(1), HALF_OPEN(2);

        private final int gauge;

        State(int gauge) {
            this.gauge = gauge;
        }

        public int gauge() {
            return gauge;
        }
    }

    private final String name;
    private final int failureThreshold;
    private final long openNanos;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(String name, int failureThreshold, Duration openDuration) {
        this.name = name;
        this.failureThreshold = failureThreshold;
        this.openNanos = openDuration.toNanos();
    }

    public String name() {
        return name;
    }

    /** Zero when the call may go ahead (then report its outcome), else how long until a trial call is allowed. */
    public synchronized Duration acquire() {
        if (state == State.OPEN) {
            long waited = System.nanoTime() - openedAt;
            if (waited < openNanos) {
                return Duration.ofNanos(openNanos - waited);
            }
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        if (state == State.HALF_OPEN) {
            if (trialInFlight) {
                return Duration.ofSeconds(1);
            }
            trialInFlight = true;
        }
        return Duration.ZERO;
    }

    public synchronized void success() {
        failures = 0;
        state = State.CLOSED;
        trialInFlight = false;
    }

    public synchronized void failure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= failureThreshold) {
            state = State.OPEN;
            openedAt = System.nanoTime();
            trialInFlight = false;
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && System.nanoTime() - openedAt >= openNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }
}
