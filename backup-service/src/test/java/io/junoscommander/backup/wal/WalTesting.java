package io.junoscommander.backup.wal;

import static io.restassured.RestAssured.given;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** What the WAL tests share: the receiver's state through the API, waiting for it, and a client-side committing writer. */
final class WalTesting {

    private WalTesting() {
    }

    static InfraHarness harness() {
        return SharedInfra.harness();
    }

    static JsonPath walStatus() {
        return given().header("Authorization", InternalTokens.bearer("wal-viewer", "viewer")).when().get("/api/v1/backups/wal").then()
                .statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitStatus(Predicate<JsonPath> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath status = walStatus();
        while (!condition.test(status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("WAL receiver state not reached within " + timeout + ": " + status.prettify());
            }
            Thread.sleep(250);
            status = walStatus();
        }
        return status;
    }

    /** Waits until the receiver on {@code slot} wrote (or, synchronous, flushed) everything the server had written now. */
    static void awaitReceiverCaughtUp(String slot, Duration timeout) throws InterruptedException {
        String target = harness().queryAsSuperuser("SELECT pg_current_wal_lsn() AS lsn").get(0).get("lsn");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var rows = harness().queryAsSuperuser("SELECT pg_wal_lsn_diff('" + target + "', r.write_lsn) AS behind"
                    + " FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = '" + slot + "'");
            if (!rows.isEmpty() && Double.parseDouble(rows.get(0).get("behind")) <= 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("receiver on " + slot + " did not reach " + target + ": " + rows);
            }
            Thread.sleep(100);
        }
    }

    static Connection connect() throws SQLException {
        InfraHarness harness = harness();
        Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + harness.postgresPort() + "/"
                + harness.settings().database(), harness.settings().user(), harness.dbPassword());
        try (Statement statement = connection.createStatement()) {
            // the harness runs with synchronous_commit off; a commit this session sees returned is durable (and, with a
            // synchronous standby, on the standby too)
            statement.execute("SET synchronous_commit = on");
        }
        return connection;
    }

    /** One committed insert as the client saw it: the row's id and the client's clock right after the commit returned. */
    record Commit(long id, long committedAtMillis) {
    }

    /** Inserts rows one transaction at a time until the server goes away or it is told to stop. */
    static final class Writer implements Runnable {
        final List<Commit> commits = new CopyOnWriteArrayList<>();
        private final String table;
        private volatile boolean stop;
        private volatile Throwable ended;

        Writer(String table) {
            this.table = table;
        }

        @Override
        public void run() {
            try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                    + " (id) VALUES (?)")) {
                for (long id = 1; !stop; id++) {
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    commits.add(new Commit(id, System.currentTimeMillis()));
                }
            } catch (SQLException e) {
                ended = e;
            }
        }

        void stop() {
            stop = true;
        }

        Throwable ended() {
            return ended;
        }
    }
}
