package io.junoscommander.gateway;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Small helpers shared by the gateway's Panache repositories. */
public final class Rows {

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
}
