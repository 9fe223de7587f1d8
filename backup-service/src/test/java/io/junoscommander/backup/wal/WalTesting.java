package io.junoscommander.backup.wal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.Commands;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What the WAL tests share: the receiver's state through the API, waiting for it, backups and restores through the API, and
 * a client-side committing writer.
 */
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

    /** Closes the segment being written; returns its name. */
    static String switchWal() {
        return harness().queryAsSuperuser("SELECT pg_walfile_name(pg_switch_wal()) AS segment").get(0).get("segment");
    }

    /** Waits until the receiver archived {@code segment} (or a later one): every WAL record written before it is in the archive. */
    static JsonPath awaitArchived(String segment, Duration timeout) throws InterruptedException {
        return awaitStatus(s -> s.getString("lastSegment") != null && segment.compareTo(s.getString("lastSegment")) <= 0, timeout);
    }

    /** {@code POST /api/v1/backups {"kind"}} as an operator, then the run once it is no longer running. */
    static JsonPath runBackup(String kind) throws InterruptedException {
        String id = given().header("Authorization", InternalTokens.bearer("wal-operator", "operator")).contentType("application/json")
                .body(Map.of("kind", kind)).when().post("/api/v1/backups").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            JsonPath run = given().header("Authorization", InternalTokens.bearer("wal-viewer", "viewer")).when()
                    .get("/api/v1/backups/" + id).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(kind + " backup still running: " + run.prettify());
            }
            Thread.sleep(250);
        }
    }

    /** A full backup as the service takes it, succeeded and proven by pg_verifybackup: where a restore starts. */
    static JsonPath fullBackup() throws InterruptedException {
        JsonPath backup = runBackup("postgres-full");
        assertThat(backup.getString("status")).as(backup.prettify()).isEqualTo("succeeded");
        assertThat(backup.getBoolean("verified")).as(backup.prettify()).isTrue();
        return backup;
    }

    /**
     * {@code POST /api/v1/backups/{backupId}/restore} as an admin with {@code request} plus a new data directory, started and
     * kept running; returns once the restore succeeded, with the server it left running.
     */
    static Restored restore(String backupId, Map<String, Object> request) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("jc-wal-restore-");
        // the restored server runs as the postgres user, which must reach the data directory inside
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Object> body = new HashMap<>(request);
        body.put("dataDirectory", scratch.resolve("data").toString());
        body.put("start", true);
        body.put("keepRunning", true);
        String location = given().header("Authorization", admin()).contentType("application/json").body(body).when()
                .post("/api/v1/backups/" + backupId + "/restore").then().statusCode(202).extract().header("Location");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        JsonPath view = restoreView(location);
        while ("running".equals(view.getString("status"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("restore still running after 5 minutes: " + view.prettify());
            }
            Thread.sleep(500);
            view = restoreView(location);
        }
        Restored restored = new Restored(view, scratch);
        if (!"succeeded".equals(view.getString("status")) || !view.getBoolean("serverRunning")) {
            restored.close();
            throw new AssertionError("restore did not leave a running server: " + view.prettify());
        }
        return restored;
    }

    private static JsonPath restoreView(String location) {
        return given().header("Authorization", admin()).when().get(location).then().statusCode(200).extract().jsonPath();
    }

    /** A fresh token each call: they live 60 s, and a restore may take longer. */
    private static String admin() {
        return InternalTokens.bearer("wal-admin", "admin");
    }

    /** A server a restore through the API left running: what the restore reported, queries over TCP, and its stop command. */
    static final class Restored implements AutoCloseable {
        final JsonPath view;
        private final Path scratch;

        private Restored(JsonPath view, Path scratch) {
            this.view = view;
            this.scratch = scratch;
        }

        /** The first column of each row {@code sql} returns, as the application's login (the restored pg_hba.conf lets it in). */
        List<String> query(String sql) throws SQLException {
            InfraHarness harness = harness();
            List<String> values = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + view.getInt("port") + "/"
                    + harness.settings().database(), harness.settings().user(), harness.dbPassword());
                    Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }

        /** Stops the server with the command the restore reported, then removes the data directory. */
        @Override
        public void close() {
            try {
                String stop = view.getString("stopCommand");
                if (stop != null) {
                    Commands.runOrFail(List.of("bash", "-c", stop), Map.of(), null, Duration.ofMinutes(3));
                }
            } finally {
                Commands.run(List.of("rm", "-rf", scratch.toString()), Duration.ofMinutes(1));
            }
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
