package io.junoscommander.support.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronTest {

    private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");

    @Test
    void fiveFieldsAreUnixMinutesAndNextIsStrictlyAfter() {
        OffsetDateTime at = OffsetDateTime.parse("2026-03-10T01:59:30Z");
        assertThat(Cron.next("0 2 * * *", ZoneOffset.UTC, at)).isEqualTo(OffsetDateTime.parse("2026-03-10T02:00:00Z"));
        assertThat(Cron.next("0 2 * * *", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T02:00:00Z")))
                .isEqualTo(OffsetDateTime.parse("2026-03-11T02:00:00Z"));
        assertThat(Cron.next("0 */4 * * *", ZoneOffset.UTC, at)).isEqualTo(OffsetDateTime.parse("2026-03-10T04:00:00Z"));
    }

    @Test
    void sixFieldsHaveSecondsFirst() {
        assertThat(Cron.next("*/2 * * * * ?", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T10:00:01.500Z")))
                .isEqualTo(OffsetDateTime.parse("2026-03-10T10:00:02Z"));
    }

    @Test
    void sixFieldsWithAStarInBothDayFieldsAreTheCommonForm() {
        // as Spring users write it: every 10 s, any day
        assertThat(Cron.next("*/10 * * * * *", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T10:00:01Z")))
                .isEqualTo(OffsetDateTime.parse("2026-03-10T10:00:10Z"));
        // a given day of the week beside a '*' day of the month (2026-03-10 is a Tuesday; Quartz numbers the days from SUN)
        assertThat(Cron.next("0 0 9 * * MON", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T10:00:00Z")))
                .isEqualTo(OffsetDateTime.parse("2026-03-16T09:00:00Z"));
        assertThat(Cron.next("0 0 9 15 * *", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T10:00:00Z")))
                .isEqualTo(OffsetDateTime.parse("2026-03-15T09:00:00Z"));
        // two specific day fields are still ambiguous
        assertThatThrownBy(() -> Cron.parse("0 0 9 15 * MON")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latestAtOrBeforeIsTheStartOfThePeriodNowLiesIn() {
        assertThat(Cron.latestAtOrBefore("0 2 * * *", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T01:59:59Z")))
                .contains(OffsetDateTime.parse("2026-03-09T02:00:00Z"));
        // a fire exactly at now belongs to now, also with a fraction of a second past it
        assertThat(Cron.latestAtOrBefore("0 2 * * *", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T02:00:00Z")))
                .contains(OffsetDateTime.parse("2026-03-10T02:00:00Z"));
        assertThat(Cron.latestAtOrBefore("*/2 * * * * ?", ZoneOffset.UTC, OffsetDateTime.parse("2026-03-10T10:00:03.999Z")))
                .contains(OffsetDateTime.parse("2026-03-10T10:00:02Z"));
    }

    @Test
    void fieldsAreReadInTheZoneAcrossDaylightSavingTime() {
        // 02:30 in Amsterdam: 01:30Z in winter, 00:30Z in summer (the clocks moved on 2026-03-29)
        assertThat(Cron.next("30 2 * * *", AMSTERDAM, OffsetDateTime.parse("2026-03-20T00:00:00Z")).toInstant())
                .isEqualTo(OffsetDateTime.parse("2026-03-20T01:30:00Z").toInstant());
        assertThat(Cron.latestAtOrBefore("0 12 * * *", AMSTERDAM, OffsetDateTime.parse("2026-07-01T10:30:00Z")).orElseThrow()
                .toInstant()).isEqualTo(OffsetDateTime.parse("2026-07-01T10:00:00Z").toInstant());
    }

    @Test
    void badExpressionsAndZonesAreRefusedWithAReason() {
        assertThatThrownBy(() -> Cron.parse("61 * * * *")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cron.parse("* * *")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 fields");
        assertThatThrownBy(() -> Cron.parse(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cron.zone("Mars/Olympus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Mars/Olympus");
        assertThat(Cron.zone(null)).isEqualTo(ZoneOffset.UTC);
        assertThat(Cron.zone("Europe/Amsterdam")).isEqualTo(AMSTERDAM);
        assertThat(Cron.parse("  */5 * * * *  ").expression()).isEqualTo("*/5 * * * *");
    }
}
