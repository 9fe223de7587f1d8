package io.junoscommander.backup.wal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.infra.testing.SharedInfra;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two replicas of the packaged service, each its own JVM, sharing one backup directory (a PVC): a scheduled backup runs
 * once per period, not once per replica; exactly one runs the WAL receiver, and when it is killed with SIGKILL (no
 * hand-back) the other takes over once the lease expired.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupClusterIT {

    private static final String SLOT = "jc_backup_wal_it";
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final Map<String, PackagedService> REPLICAS = new LinkedHashMap<>();

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        Path root = Files.createTempDirectory("jc-wal-cluster");
        Map<String, String> env = new HashMap<>(PackagedService.testEnvironment());
        env.put("BACKUP_DIR", root.resolve("store").toString());
        env.put("BACKUP_WORK_DIR", root.resolve("work").toString());
        env.put("BACKUP_WAL_SLOT", SLOT);
        env.put("BACKUP_WAL_APPLICATION_NAME", SLOT);
        env.put("BACKUP_WAL_LEASE_TIME", LEASE.toSeconds() + "s");
        env.put("BACKUP_WAL_LEASE_RENEWAL", "1s");
        // a Redis snapshot every 4 s on both replicas; everything else off
        env.put("BACKUP_SCHEDULE_REDIS", "*/4 * * * * ?");
        for (String off : new String[] {"FULL", "CLEANUP", "DEVICES", "DRILL"}) {
            env.put("BACKUP_SCHEDULE_" + off, "off");
        }
        env.put("BACKUP_DEVICES_ENABLED", "false");
        for (String name : new String[] {"backup-a", "backup-b"}) {
            REPLICAS.put(name, PackagedService.of("backup-service").name(name).maxHeap("384m").environment(env).launch());
        }
        REPLICAS.values().forEach(PackagedService::awaitReady);
    }

    @AfterAll
    static void stopReplicas() {
        REPLICAS.values().forEach(PackagedService::stop);
    }

    @Test
    @Order(1)
    void aScheduledBackupRunsOncePerPeriodNotOncePerReplica() throws Exception {
        Thread.sleep(Duration.ofSeconds(15).toMillis());
        // read between two period boundaries: the periods recorded, and what each replica counted as started, must agree
        List<Map<String, String>> fired;
        double startedByA;
        double startedByB;
        int attempts = 0;
        do {
            Thread.sleep(Duration.ofMillis(700).toMillis());
            fired = firedPeriods();
            startedByA = scheduledFires("backup-a");
            startedByB = scheduledFires("backup-b");
        } while (++attempts < 10 && (fired.size() != firedPeriods().size() || startedByA + startedByB != fired.size()));
        var runs = SharedInfra.harness().queryAsSuperuser("SELECT instance_id, status FROM backup.backup_run WHERE kind = 'redis'"
                + " AND trigger = 'schedule'");
        System.out.printf("scheduled redis backups: %d periods fired (a %.0f, b %.0f), %d runs%n", fired.size(), startedByA,
                startedByB, runs.size());
        // the first period only arms the job; each later period was started by exactly one of the two replicas
        assertThat(fired.size()).isGreaterThanOrEqualTo(2);
        assertThat(startedByA + startedByB).isEqualTo(fired.size());
        // a period whose start found the previous snapshot still running adds no run (two of one kind never run at once)
        assertThat(runs).isNotEmpty().hasSizeLessThanOrEqualTo(fired.size());
        assertThat(runs).allSatisfy(run -> assertThat(run.get("status")).isIn("succeeded", "running"));
    }

    private static List<Map<String, String>> firedPeriods() {
        return SharedInfra.harness().queryAsSuperuser("SELECT period FROM backup.job_fire WHERE job = 'backup-redis' AND ran");
    }

    /** How many periods of the redis schedule this replica won and started (its periodic_job_fires counter). */
    private static double scheduledFires(String replica) {
        String metrics = given().baseUri(REPLICAS.get(replica).managementUrl()).when().get("/metrics").then().statusCode(200).extract()
                .asString();
        double total = 0;
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^periodic_job_fires_total\\{([^}]*)\\} (\\S+)$")
                .matcher(metrics);
        while (line.find()) {
            if (line.group(1).contains("job=\"backup-redis\"") && !line.group(1).contains("outcome=\"armed\"")) {
                total += Double.parseDouble(line.group(2));
            }
        }
        return total;
    }

    @Test
    @Order(2)
    void exactlyOneReceiverRunsAndTheOtherReplicaTakesOverWhenItsHolderIsKilled() throws Exception {
        String holder = awaitHolder(Duration.ofSeconds(60));
        // sampled for a while: never two streams on the slot, never two replicas that think they hold it
        for (int i = 0; i < 20; i++) {
            assertThat(streams()).isEqualTo(1);
            assertThat(status("backup-a").getBoolean("heldByThisReplica") ^ status("backup-b").getBoolean("heldByThisReplica")).isTrue();
            Thread.sleep(250);
        }
        assertThat(status("backup-a").getString("holder")).isEqualTo(holder).isEqualTo(status("backup-b").getString("holder"));
        String other = holder.equals("backup-a") ? "backup-b" : "backup-a";

        long killedAt = System.nanoTime();
        REPLICAS.get(holder).kill();
        long deadline = killedAt + LEASE.plusSeconds(20).toNanos();
        while (!(status(other).getBoolean("heldByThisReplica") && status(other).getBoolean("running") && streams() == 1
                && other.equals(streamOwner()))) {
            assertThat(System.nanoTime()).as("takeover within the lease time").isLessThan(deadline);
            Thread.sleep(200);
        }
        long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("WAL receiver taken over by %s %d ms after %s was killed (lease %d s)%n", other, takeoverMs, holder,
                LEASE.toSeconds());
        assertThat(takeoverMs).isLessThan(LEASE.plusSeconds(10).toMillis());
        for (int i = 0; i < 8; i++) {
            assertThat(streams()).isEqualTo(1);
            Thread.sleep(250);
        }

        // a graceful stop hands the lease back at once
        REPLICAS.get(other).stop();
        assertThat(SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS n FROM backup.wal_receiver_lease WHERE slot = '" + SLOT
                + "'")).containsExactly(Map.of("n", "0"));
    }

    private static String awaitHolder(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath a = status("backup-a");
            if (a.getBoolean("running") && a.getString("holder") != null) {
                return a.getString("holder");
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no replica runs the WAL receiver");
    }

    /** WAL senders streaming the test slot right now. */
    private static int streams() {
        return Integer.parseInt(SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS n FROM pg_stat_replication WHERE"
                + " application_name = '" + SLOT + "'").get(0).get("n"));
    }

    /** The instance whose lease row is current (what the database, not a replica, says). */
    private static String streamOwner() {
        var rows = SharedInfra.harness().queryAsSuperuser("SELECT owner FROM backup.wal_receiver_lease WHERE slot = '" + SLOT
                + "' AND expires_at > now()");
        return rows.isEmpty() ? null : rows.get(0).get("owner");
    }

    private static JsonPath status(String replica) {
        return given().baseUri(REPLICAS.get(replica).url()).header("Authorization", InternalTokens.bearer("it-viewer", "viewer")).when()
                .get("/api/v1/backups/wal").then().statusCode(200).extract().jsonPath();
    }

}
