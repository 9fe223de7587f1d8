package io.junoscommander.gateway.session;

import io.junoscommander.support.problem.ProblemException;
import java.util.List;

/**
 * Redis (sessions, login throttle, rate-limit reconciliation) could not be reached or refused the command, e.g. during a
 * Sentinel failover: 503 with {@code Retry-After}, never 500. The cause stays in the log.
 */
public class RedisUnavailableException extends ProblemException {

    private static final long serialVersionUID = 1L;

    /** Seconds a client should wait: a Sentinel failover takes a few. */
    public static final long RETRY_AFTER_SECONDS = 2;

    private final transient Throwable reason;

    public RedisUnavailableException(String what, Throwable cause) {
        super(503, "session-store-unavailable", "Session store unavailable", what + " needs the session store (Redis), which is "
                + "unreachable for the moment; retry in " + RETRY_AFTER_SECONDS + " s", List.of());
        withHeader("Retry-After", Long.toString(RETRY_AFTER_SECONDS));
        this.reason = cause;
    }

    /** What the Redis client reported (a ProblemException carries no cause of its own). */
    public Throwable reason() {
        return reason;
    }

    /** {@code failure} itself if it is one (or its cause is), else a new one for {@code what}. */
    public static RedisUnavailableException of(Throwable failure, String what) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RedisUnavailableException unavailable) {
                return unavailable;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return new RedisUnavailableException(what, failure);
    }
}
