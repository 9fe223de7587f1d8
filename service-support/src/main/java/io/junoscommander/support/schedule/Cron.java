package io.junoscommander.support.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A cron expression: five Unix fields (minute hour day-of-month month day-of-week), or six with seconds first (Quartz
 * style, for sub-minute schedules such as {@code *}{@code /5 * * * * ?}); evaluated in a time zone. Immutable and
 * thread-safe: parse once, ask many times.
 */
public final class Cron {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final String expression;
    private final ExecutionTime times;

    private Cron(String expression, ExecutionTime times) {
        this.expression = expression;
        this.times = times;
    }

    /**
     * Parses {@code expression} (surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming what is wrong, when it is not a five- or six-field cron expression
     */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("empty");
        }
        String trimmed = expression.strip();
        int fields = trimmed.split("\\s+").length;
        if (fields != 5 && fields != 6) {
            throw new IllegalArgumentException(fields + " fields, expected 5 or 6");
        }
        return new Cron(trimmed, ExecutionTime.forCron(fields == 5 ? UNIX.parse(trimmed) : QUARTZ.parse(quartzDays(trimmed))));
    }

    /**
     * Quartz wants {@code ?} in one of day-of-month and day-of-week; the common six-field form (Spring's) writes
     * {@code *} in both, as in {@code *}{@code /10 * * * * *}. A {@code *} beside a given other day field means "any", so it
     * is read as {@code ?}; two specific day fields stay an error.
     */
    private static String quartzDays(String expression) {
        String[] field = expression.split("\\s+");
        if (!"?".equals(field[3]) && !"?".equals(field[5])) {
            if ("*".equals(field[5])) {
                field[5] = "?";
            } else if ("*".equals(field[3])) {
                field[3] = "?";
            }
        }
        return String.join(" ", field);
    }

    /**
     * The zone named {@code timezone} (an IANA name like {@code Europe/Amsterdam}); UTC when null or blank.
     *
     * @throws IllegalArgumentException when no such zone exists
     */
    public static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(timezone.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + timezone + "'", e);
        }
    }

    /**
     * The first fire strictly after {@code after}, with cron fields read in {@code zone}.
     *
     * @throws IllegalArgumentException when the expression is invalid or never fires again
     */
    public static OffsetDateTime next(String expression, ZoneId zone, OffsetDateTime after) {
        return parse(expression).next(zone, after).orElseThrow(() -> new IllegalArgumentException("never fires"));
    }

    /** The latest fire at or before {@code now}, with cron fields read in {@code zone}; empty if it never fired. */
    public static Optional<OffsetDateTime> latestAtOrBefore(String expression, ZoneId zone, OffsetDateTime now) {
        return parse(expression).latestAtOrBefore(zone, now);
    }

    /** The first fire strictly after {@code after}; empty if it never fires again. */
    public Optional<OffsetDateTime> next(ZoneId zone, OffsetDateTime after) {
        return times.nextExecution(after.atZoneSameInstant(zone)).map(ZonedDateTime::toOffsetDateTime);
    }

    /** The latest fire at or before {@code now}: the start of the period {@code now} lies in; empty if it never fired. */
    public Optional<OffsetDateTime> latestAtOrBefore(ZoneId zone, OffsetDateTime now) {
        // fires fall on whole seconds; lastExecution is strictly before its argument
        ZonedDateTime second = now.atZoneSameInstant(zone).truncatedTo(ChronoUnit.SECONDS);
        if (times.isMatch(second)) {
            return Optional.of(second.toOffsetDateTime());
        }
        return times.lastExecution(second).map(ZonedDateTime::toOffsetDateTime);
    }

    /** The expression as parsed (blanks at either end removed). */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }
}
