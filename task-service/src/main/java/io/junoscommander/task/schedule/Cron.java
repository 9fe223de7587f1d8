package io.junoscommander.task.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.junoscommander.support.problem.ProblemException;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Cron expressions: five Unix fields, or six with seconds first (Quartz style, for sub-minute schedules); evaluated in
 * the schedule's time zone.
 */
final class Cron {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private Cron() {
    }

    static ExecutionTime parse(String expression) {
        String trimmed = expression.strip();
        int fields = trimmed.split("\\s+").length;
        try {
            return ExecutionTime.forCron(fields == 5 ? UNIX.parse(trimmed) : QUARTZ.parse(trimmed));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("cron", "not a valid cron expression (" + e.getMessage() + "); use five fields like"
                    + " '*/15 * * * *' or six with seconds like '*/5 * * * * ?'");
        }
    }

    static ZoneId zone(String timezone) {
        try {
            return timezone == null || timezone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw ProblemException.badRequest("timezone", "unknown time zone '" + timezone + "'; use an IANA name like Europe/Amsterdam");
        }
    }

    /** The first fire strictly after {@code after}. */
    static OffsetDateTime next(String expression, String timezone, OffsetDateTime after) {
        ZonedDateTime from = after.atZoneSameInstant(zone(timezone));
        return parse(expression).nextExecution(from).map(ZonedDateTime::toOffsetDateTime)
                .orElseThrow(() -> ProblemException.badRequest("cron", "never fires"));
    }
}
