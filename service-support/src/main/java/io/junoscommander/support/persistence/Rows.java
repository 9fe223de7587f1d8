package io.junoscommander.support.persistence;

import io.vertx.pgclient.PgException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.hibernate.exception.ConstraintViolationException;

/** Small helpers every service's repositories share, for Panache entities and plain SQL alike. */
public final class Rows {

    private static final String UNIQUE_VIOLATION = "23505";

    private Rows() {
    }

    /** Now as PostgreSQL stores it (microseconds), so a value returned at once equals the one read back later. */
    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** The last row of a page for Panache's {@code range(first, last)}, without int overflow for an offset near the maximum. */
    public static int lastIndex(int offset, int limit) {
        return (int) Math.min(Integer.MAX_VALUE, (long) offset + limit - 1);
    }

    /**
     * Whether a write failed on a unique key (another row, or another replica at the same moment, has that name): the
     * reactive client's error, or Hibernate's wrapping of it at flush, at any depth of causes.
     */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return true;
            }
            if (cause instanceof ConstraintViolationException) {
                return true;
            }
        }
        return false;
    }
}
