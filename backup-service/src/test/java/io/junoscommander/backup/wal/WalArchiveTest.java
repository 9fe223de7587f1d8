package io.junoscommander.backup.wal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(BackupTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalArchiveTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private static final Logger LOG = Logger.getLogger(WalArchiveTest.class);
    private static final String SLOT = "jc_backup_wal";

    @Inject
    BackupConfig config;

    @Test
    @Order(1)
    void oneReceiverStreamsFromTheSlotAndEachCompletedSegmentIsArchivedWithItsChecksum() throws Exception {
        JsonPath status = WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        assertThat(status.getBoolean("heldByThisReplica")).isTrue();
        assertThat(status.getString("holder")).isNotBlank();
        assertThat(status.getString("slot")).isEqualTo(SLOT);
        assertThat(status.getBoolean("synchronous")).isFalse();
        assertThat(status.getString("syncState")).isEqualTo("async");
        assertThat(status.getMap("")).doesNotContainKey("pid");
        assertThat(WalTesting.harness().queryAsSuperuser("SELECT application_name FROM pg_stat_replication r JOIN pg_replication_slots s"
                + " ON s.active_pid = r.pid WHERE s.slot_name = '" + SLOT + "'")).containsExactly(Map.of("application_name", SLOT));

        WalTesting.harness().queryAsSuperuser("CREATE TABLE IF NOT EXISTS wal_probe (id int); INSERT INTO wal_probe VALUES (1)");
        String switched = WalTesting.switchWal();
        JsonPath archived = WalTesting.awaitStatus(s -> switched.equals(s.getString("lastSegment")), Duration.ofSeconds(30));
        assertThat(archived.getString("lastSegmentArchivedAt")).isNotBlank();
        Path stored = config.dir().resolve("wal").resolve(switched);
        assertThat(stored).exists();
        String recorded = WalTesting.harness().queryAsSuperuser("SELECT sha256 FROM backup.wal_segment WHERE name = '" + switched + "'")
                .get(0).get("sha256");
        assertThat(BackupJob.sha256(stored)).isEqualTo(recorded);

        String metrics = given().port(management.getPort()).when().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("backup_wal_receiver_up 1.0").contains("backup_wal_receiver_local 1.0")
                .contains("backup_wal_receiver_lag_bytes").contains("backup_wal_receiver_lag_seconds")
                .contains("backup_wal_receiver_restarts_total");
        String health = given().port(management.getPort()).when().get("/health/detailed").then().extract().asString();
        assertThat(health).contains("\"wal-receiver\"").contains(switched);
    }

    @Test
    @Order(2)
    void receiverKilledIsRestartedAndNothingIsLost() throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        double restartsBefore = WalTesting.walStatus().getDouble("restarts");
        String pid = WalTesting.harness().queryAsSuperuser("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")
                .get(0).get("active_pid");
        // the server ends the stream: pg_receivewal exits (--no-loop) and the service starts it again
        WalTesting.harness().queryAsSuperuser("SELECT pg_terminate_backend(" + pid + ")");
        WalTesting.awaitStatus(s -> s.getDouble("restarts") > restartsBefore && s.getBoolean("running"), Duration.ofSeconds(30));
        WalTesting.harness().queryAsSuperuser("INSERT INTO wal_probe VALUES (2)");
        String switched = WalTesting.switchWal();
        WalTesting.awaitStatus(s -> switched.equals(s.getString("lastSegment")), Duration.ofSeconds(30));
    }

    @Test
    @Order(3)
    void incrementalBackupSwitchesWalAndRecordsTheVerifiedRangeSinceTheLastBackup() throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        JsonPath first = WalTesting.runBackup("postgres-incremental");
        assertThat(first.getString("status")).isEqualTo("succeeded");
        assertThat(first.getBoolean("verified")).isTrue();
        WalTesting.harness().queryAsSuperuser("INSERT INTO wal_probe SELECT generate_series(1, 1000)");
        JsonPath second = WalTesting.runBackup("postgres-incremental");
        assertThat(second.getString("status")).isEqualTo("succeeded");
        assertThat(second.getString("walStart")).isEqualTo(first.getString("walEnd"));
        assertThat(second.getString("walEnd")).isGreaterThan(first.getString("walEnd"));
        assertThat(second.getString("walEnd")).isEqualTo(WalTesting.walStatus().getString("lastSegment"));
        assertThat(second.getInt("details.segments")).isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(4)
    void cleanupDeletesRunsOutsideTheWindowButKeepsTheNewestVerifiedFullBackupAndTheWalItNeeds() throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        String kept = WalTesting.switchWal();
        WalTesting.awaitStatus(s -> kept.compareTo(s.getString("lastSegment")) <= 0, Duration.ofSeconds(30));
        List<String> older = WalTesting.harness().queryAsSuperuser("SELECT name FROM backup.wal_segment WHERE segment_number IS NOT NULL"
                + " AND substr(name, 9) < substr('" + kept + "', 9)").stream().map(row -> row.get("name")).toList();
        assertThat(older).isNotEmpty();
        Path store = config.dir();
        String fullLocation = "postgres-full/old-verified/";
        String olderFullLocation = "postgres-full/older/";
        String failedLocation = "postgres-full/failed/";
        for (String location : List.of(fullLocation, olderFullLocation, failedLocation)) {
            Files.createDirectories(store.resolve(location));
            Files.writeString(store.resolve(location).resolve("base.tar.gz"), "backup data of " + location);
        }
        // full backups other tests of this JVM took are newer and need older WAL: out of the cleanup's sight while it runs, so
        // the old one is the newest verified full backup, as after a month without a successful one
        WalTesting.harness().queryAsSuperuser("UPDATE backup.backup_run SET kind = 'postgres-full-aside' WHERE kind = 'postgres-full'"
                + " AND id::text NOT LIKE '00000000-0000-0000-0000-0000000000a%'");
        WalTesting.harness().queryAsSuperuser("""
                INSERT INTO backup.backup_run (id, kind, status, trigger, instance_id, started_at, heartbeat_at, finished_at, verified,
                    storage, location, wal_start, wal_end) VALUES
                ('00000000-0000-0000-0000-0000000000a1', 'postgres-full', 'succeeded', 'schedule', 'test', now() - interval '40 days',
                    now() - interval '40 days', now() - interval '40 days', true, 'directory', '%1$s', '%4$s', '%4$s'),
                ('00000000-0000-0000-0000-0000000000a2', 'postgres-full', 'succeeded', 'schedule', 'test', now() - interval '50 days',
                    now() - interval '50 days', now() - interval '50 days', true, 'directory', '%2$s', '%5$s', '%5$s'),
                ('00000000-0000-0000-0000-0000000000a3', 'postgres-full', 'failed', 'schedule', 'test', now() - interval '45 days',
                    now() - interval '45 days', now() - interval '45 days', false, 'directory', '%3$s', NULL, NULL);
                """.formatted(fullLocation, olderFullLocation, failedLocation, kept, older.get(0)));

        JsonPath cleanup = WalTesting.runBackup("cleanup");
        WalTesting.harness().queryAsSuperuser("UPDATE backup.backup_run SET kind = 'postgres-full' WHERE kind = 'postgres-full-aside'");
        assertThat(cleanup.getString("status")).as(cleanup.prettify()).isEqualTo("succeeded");
        Set<String> left = WalTesting.harness().queryAsSuperuser("SELECT id::text AS id FROM backup.backup_run WHERE id::text LIKE"
                + " '00000000-0000-0000-0000-0000000000a%'").stream().map(row -> row.get("id")).collect(Collectors.toSet());
        assertThat(left).containsExactly("00000000-0000-0000-0000-0000000000a1");
        assertThat(store.resolve(fullLocation).resolve("base.tar.gz")).exists();
        assertThat(store.resolve(olderFullLocation)).doesNotExist();
        assertThat(store.resolve(failedLocation)).doesNotExist();
        for (String segment : older) {
            assertThat(store.resolve("wal").resolve(segment)).doesNotExist();
        }
        assertThat(store.resolve("wal").resolve(kept)).exists();
        assertThat(WalTesting.harness().queryAsSuperuser("SELECT count(*) AS n FROM backup.wal_segment WHERE segment_number IS NOT NULL"
                + " AND substr(name, 9) < substr('" + kept + "', 9)")).containsExactly(Map.of("n", "0"));
        assertThat(cleanup.getInt("details.deletedRuns")).isGreaterThanOrEqualTo(2);
        assertThat(cleanup.getInt("details.deletedWalSegments")).isEqualTo(older.size());
        // the incremental runs of this test class are recent and stay
        given().header("Authorization", InternalTokens.bearer("wal-viewer", "viewer")).when()
                .get("/api/v1/backups?kind=postgres-incremental").then().statusCode(200);
    }

    /**
     * Runs after the cleanup test: a full backup taken here is the newest one, which the cleanup test's retention figures
     * must not see.
     */
    @Test
    @Order(5)
    void pointInTimeRestoreHasTheRowsWrittenBeforeTheTargetAndNoneAfter() throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        WalTesting.harness().queryAsSuperuser("DROP TABLE IF EXISTS pitr_probe;"
                + " CREATE TABLE pitr_probe (id bigint PRIMARY KEY, batch text); ALTER TABLE pitr_probe OWNER TO "
                + WalTesting.harness().settings().user());
        JsonPath backup = WalTesting.fullBackup();
        String target;
        try (Connection connection = WalTesting.connect(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO pitr_probe SELECT n, 'A' FROM generate_series(1, 500) n");
            Thread.sleep(300);
            var rs = statement.executeQuery("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
            rs.next();
            target = rs.getString(1);
            Thread.sleep(300);
            statement.execute("INSERT INTO pitr_probe SELECT n, 'B' FROM generate_series(501, 800) n");
        }
        // rows B are in a segment the receiver archived: recovery finds a commit past the target and stops before it
        WalTesting.awaitArchived(WalTesting.switchWal(), Duration.ofSeconds(30));
        try (WalTesting.Restored restored = WalTesting.restore(backup.getString("id"), Map.of("target", "time", "targetTime", target))) {
            assertThat(restored.view.getInt("walSegments")).as("archived WAL staged through the WalSource").isPositive();
            assertThat(restored.query("SELECT batch || '=' || count(*) FROM pitr_probe GROUP BY batch ORDER BY batch"))
                    .as(restored.view.prettify()).containsExactly("A=500");
        }
    }

    @Test
    @Order(6)
    void latestStateRestoreAfterKillingPostgresMidLoadHasEveryTransactionCommittedBeforeTheLastSecond() throws Exception {
        KillTest.run(false, LOG);
    }
}
