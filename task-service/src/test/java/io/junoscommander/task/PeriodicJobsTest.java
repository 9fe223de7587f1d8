package io.junoscommander.task;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.schedule.Cron;
import io.junoscommander.support.schedule.PeriodicJobs;
import io.junoscommander.task.api.TaskRetention;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Periodic jobs of service-support against the real PostgreSQL through PgBouncer: this application's ticker is one replica,
 * the test claims through the same public API as a second one.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class PeriodicJobsTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    PeriodicJobs jobs;

    @Inject
    ServiceIdentity identity;

    /** A six-field cron firing every 2 s at six seconds of the current minute, starting a few seconds from now. */
    private record Window(String cron, OffsetDateTime last) {

        static Window next() throws InterruptedException {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            if (now.getSecond() > 44) {
                Thread.sleep(Duration.between(now, now.withSecond(0).withNano(0).plusMinutes(1)).toMillis() + 200);
                now = OffsetDateTime.now(ZoneOffset.UTC);
            }
            int first = now.getSecond() + 3 + (now.getSecond() + 3) % 2;
            int last = first + 10;
            return new Window(first + "-" + last + "/2 " + now.getMinute() + " " + now.getHour() + " * * ?",
                    now.withSecond(last).withNano(0));
        }

        void awaitEnd() throws InterruptedException {
            Thread.sleep(Math.max(0, Duration.between(OffsetDateTime.now(ZoneOffset.UTC), last).toMillis()) + 2500);
        }
    }

    private static List<Map<String, String>> fires(String job) {
        return SharedInfra.harness().queryAsSuperuser("SELECT period, fired_by, ran, finished_at IS NOT NULL AS finished, error"
                + " FROM task.job_fire WHERE job = '" + job + "' ORDER BY period");
    }

    @Test
    void aJobRunsOncePerPeriodWhenTwoReplicasClaimAndItsFirstPeriodOnlyArmsIt() throws Exception {
        String job = "test-once-" + UUID.randomUUID();
        Window window = Window.next();
        AtomicInteger runs = new AtomicInteger();
        jobs.register(job, window.cron(), () -> Uni.createFrom().item(runs::incrementAndGet).replaceWithVoid());

        // replica-b looks every 50 ms, racing the ticker of this application through the same claim
        Map<PeriodicJobs.Claim, Integer> claimsOfB = new EnumMap<>(PeriodicJobs.Claim.class);
        OffsetDateTime handled = null;
        while (OffsetDateTime.now(ZoneOffset.UTC).isBefore(window.last().plusSeconds(1))) {
            OffsetDateTime period = Cron.latestAtOrBefore(window.cron(), ZoneOffset.UTC, OffsetDateTime.now(ZoneOffset.UTC)).orElseThrow();
            if (!period.equals(handled)) {
                PeriodicJobs.Claim claim = jobs.claim(job, period, "replica-b").await().atMost(Duration.ofSeconds(5));
                claimsOfB.merge(claim, 1, Integer::sum);
                handled = period;
            }
            Thread.sleep(50);
        }
        window.awaitEnd();

        List<Map<String, String>> fires = fires(job);
        // one row per period: the armed one (the window's last second yesterday) and the six seconds of the window
        assertThat(fires).hasSize(7);
        assertThat(fires.get(0).get("ran")).isEqualTo("f");
        assertThat(OffsetDateTime.parse(fires.get(0).get("period").replace(' ', 'T') + ":00").toInstant())
                .isEqualTo(window.last().minusDays(1).toInstant());
        List<Map<String, String>> ran = fires.subList(1, 7);
        assertThat(ran).allSatisfy(fire -> assertThat(fire.get("ran")).isEqualTo("t"));
        long ranHere = ran.stream().filter(fire -> identity.instanceId().equals(fire.get("fired_by"))).count();
        long ranByB = ran.stream().filter(fire -> "replica-b".equals(fire.get("fired_by"))).count();
        assertThat(ranHere + ranByB).isEqualTo(6);
        assertThat(claimsOfB.getOrDefault(PeriodicJobs.Claim.RUN, 0)).isEqualTo((int) ranByB);
        // this replica ran exactly the periods it won, each once, and recorded each outcome
        assertThat(runs.get()).isEqualTo((int) ranHere);
        assertThat(ran).filteredOn(fire -> identity.instanceId().equals(fire.get("fired_by")))
                .allSatisfy(fire -> assertThat(fire.get("finished")).isEqualTo("t"));
        System.out.printf("periodic job every 2 s, two claimants: %d run here, %d won by replica-b, claims of b %s%n", ranHere, ranByB,
                claimsOfB);
    }

    @Test
    void aFailingActionIsRecordedAndCountedAndLaterPeriodsStillRun() throws Exception {
        String job = "test-failing-" + UUID.randomUUID();
        Window window = Window.next();
        AtomicInteger calls = new AtomicInteger();
        jobs.register(job, window.cron(), () -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new IllegalStateException("disk full");
            }
            return call == 2 ? Uni.createFrom().failure(new IllegalStateException("target unreachable")) : Uni.createFrom().voidItem();
        });
        window.awaitEnd();

        List<Map<String, String>> fires = fires(job);
        assertThat(fires).hasSize(7);
        assertThat(fires.get(0).get("ran")).isEqualTo("f");
        assertThat(fires.subList(1, 7)).allSatisfy(fire -> {
            assertThat(fire.get("ran")).isEqualTo("t");
            assertThat(fire.get("finished")).isEqualTo("t");
        });
        assertThat(fires.subList(1, 7)).extracting(fire -> fire.get("error")).containsExactly("disk full", "target unreachable", "",
                "", "", "");
        assertThat(calls.get()).isEqualTo(6);
        String metrics = given().port(management.getPort()).when().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("(?m)^periodic_job_fires_total\\{[^}]*job=\"" + job + "\",outcome=\"failed\"[^}]*} 2.0$")
                .containsPattern("(?m)^periodic_job_fires_total\\{[^}]*job=\"" + job + "\",outcome=\"succeeded\"[^}]*} 4.0$")
                .containsPattern("(?m)^periodic_job_fires_total\\{[^}]*job=\"" + job + "\",outcome=\"armed\"[^}]*} 1.0$");
    }

    @Test
    void taskRetentionIsAPeriodicJobArmedAtFirstStart() {
        // in the order the claims were made: the first claim ever arms the job (by period, a later claim of an earlier
        // period, as a test run across the top of the hour can make, would sort first)
        List<Map<String, String>> fires = SharedInfra.harness().queryAsSuperuser("SELECT period, ran FROM task.job_fire WHERE job = '"
                + TaskRetention.JOB + "' ORDER BY fired_at, period");
        assertThat(fires).isNotEmpty();
        assertThat(fires.get(0).get("ran")).isEqualTo("f");
        assertThat(fires.get(0).get("period")).endsWith(":00:00+00");
    }
}
