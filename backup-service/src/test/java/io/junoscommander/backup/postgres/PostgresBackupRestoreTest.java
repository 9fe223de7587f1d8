package io.junoscommander.backup.postgres;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.backup.restore.BackupDescriptor;
import io.junoscommander.backup.restore.PostgresRestorer;
import io.junoscommander.backup.restore.RestoreOutcome;
import io.junoscommander.backup.restore.StoredBackups;
import io.junoscommander.backup.storage.DirectoryStorage;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * PostgreSQL backups and restores against the harness's real PostgreSQL, through the service's HTTP API: a full backup
 * proven by pg_verifybackup, restores into new data directories started on free ports, a schema from a logical dump,
 * the drill, corruption found by re-verification, and the operator's restore command run as a separate process.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresBackupRestoreTest {

    private static final int PROBE_ROWS = 250;
    private static String firstFullBackup;
    private static final List<Path> SCRATCH = new ArrayList<>();

    @ConfigProperty(name = "junoscommander.backup.dir")
    Path backupDir;

    @BeforeAll
    static void writeProbeRows() {
        SharedInfra.harness().queryAsSuperuser("""
                DROP SCHEMA IF EXISTS restore_probe CASCADE;
                SET ROLE junoscommander;
                CREATE SCHEMA restore_probe;
                CREATE TABLE restore_probe.items (id int PRIMARY KEY, note text NOT NULL);
                INSERT INTO restore_probe.items SELECT n, 'item ' || n FROM generate_series(1, %d) n;
                """.formatted(PROBE_ROWS));
    }

    @AfterAll
    static void deleteRestoredCopies() throws IOException {
        for (Path dir : SCRATCH) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    @Order(1)
    void fullBackupPassesPgVerifybackupAndIsCatalogued() {
        JsonPath backup = takeBackup("postgres-full");
        firstFullBackup = backup.getString("id");
        assertThat(backup.getString("status")).isEqualTo("succeeded");
        assertThat(backup.getBoolean("verified")).isTrue();
        assertThat(backup.getLong("sizeBytes")).isPositive();
        assertThat(backup.getString("checksum")).matches("[0-9a-f]{64}");
        assertThat(backup.getString("walStart")).matches("[0-9A-F]{24}");
        assertThat(backup.getString("walEnd")).matches("[0-9A-F]{24}").isGreaterThanOrEqualTo(backup.getString("walStart"));
        assertThat(OffsetDateTime.parse(backup.getString("consistentAt"))).isAfter(OffsetDateTime.parse(backup.getString("startedAt")));
        assertThat(backup.getList("files.name", String.class)).containsExactlyInAnyOrder("backup.json", "backup_manifest", "base.tar.gz");
        assertThat(backup.getList("files.sha256", String.class)).allMatch(sha -> sha.matches("[0-9a-f]{64}"));
        assertThat(backup.getString("details.postgresVersion")).startsWith("15");
        assertThat(backup.getLong("details.databaseSizeBytes")).isPositive();
        assertThat(backup.getInt("details.schemas.restore_probe.items")).isEqualTo(PROBE_ROWS);
        assertThat(backup.getMap("details.schemas")).containsKey("backup");
        assertThat(backup.getDouble("details.mbPerSecond")).isPositive();
        System.out.printf("full backup: %.1f MB copied at %.1f MB/s (end to end %.1f MB/s), %d bytes stored, %d ms in all%n",
                backup.getLong("details.copiedBytes") / 1_048_576.0, backup.getDouble("details.mbPerSecond"),
                backup.getDouble("details.endToEndMbPerSecond"), backup.getLong("sizeBytes"), backup.getLong("durationMs"));
    }

    @Test
    @Order(2)
    void onlyAnAdminRestoresAndBadBodiesAreRefused() {
        given().header("Authorization", InternalTokens.bearer("vera", "viewer")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/backups/latest/restore").then().statusCode(403);
        given().header("Authorization", InternalTokens.bearer("otto", "operator")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/backups/latest/restore").then().statusCode(403);
        given().header("Authorization", InternalTokens.bearer("vera", "viewer")).post("/api/v1/backups/" + firstFullBackup + "/verify")
                .then().statusCode(403);
        for (String body : List.of("[]", "{\"target\": \"yesterday\"}", "{\"target\": \"time\"}",
                "{\"targetTime\": \"2026-01-01T00:00:00Z\"}",
                "{\"target\": \"time\", \"targetTime\": \"last tuesday\"}", "{\"dataDirectory\": \"relative/dir\"}",
                "{\"dataDirectory\": \"/tmp/a b\"}", "{\"start\": \"yes\"}", "{\"keepRunning\": true}", "{\"start\": true, \"port\": 80}",
                "{\"schema\": \"a;drop\"}", "{\"unknown\": 1}", "{\"schema\": \"restore_probe\", \"target\": \"time\","
                        + " \"targetTime\": \"2026-01-01T00:00:00Z\"}")) {
            given().header("Authorization", admin()).contentType(ContentType.JSON).body(body).post("/api/v1/backups/latest/restore")
                    .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
        }
        given().header("Authorization", admin()).contentType(ContentType.JSON).body("{}").post("/api/v1/backups/not-an-id/restore")
                .then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", admin()).contentType(ContentType.JSON)
                .body(Map.of("target", "time", "targetTime", OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).toString()))
                .post("/api/v1/backups/latest/restore").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("has not happened yet"));
        // before any backup existed: no full backup is consistent that early
        given().header("Authorization", admin()).contentType(ContentType.JSON)
                .body(Map.of("target", "time", "targetTime", "2001-01-01T00:00:00Z")).post("/api/v1/backups/latest/restore").then()
                .statusCode(422).contentType("application/problem+json").body("detail", containsString("consistent at or before"));
        given().header("Authorization", admin()).contentType(ContentType.JSON)
                .body(Map.of("target", "time", "targetTime", "2001-01-01T00:00:00Z"))
                .post("/api/v1/backups/" + firstFullBackup + "/restore").then().statusCode(422).contentType("application/problem+json");
    }

    @Test
    @Order(3)
    void fullRestoreStartedOnAFreePortShowsRowsWrittenBeforeTheBackup() throws IOException {
        Path dataDir = scratchDir("restored-full");
        JsonPath restore = restore(firstFullBackup, Map.of("target", "latest", "dataDirectory", dataDir.toString(), "start", true,
                "keepRunning", true));
        assertThat(restore.getString("status")).as(restore.prettify()).isEqualTo("succeeded");
        int port = restore.getInt("port");
        assertThat(restore.getBoolean("serverRunning")).isTrue();
        assertThat(restore.getList("checks.ok", Boolean.class)).isNotEmpty().allMatch(ok -> ok);
        try {
            // the restored copy answers on its own port, with the application's own login (its pg_hba.conf came along)
            String rows = psql(port, "SELECT count(*) || ' ' || max(note) FROM restore_probe.items");
            assertThat(rows).isEqualTo(PROBE_ROWS + " item 99");
            assertThat(psql(port, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        } finally {
            run(List.of("bash", "-c", restore.getString("stopCommand")));
        }
        assertThat(Files.exists(dataDir.resolve("PG_VERSION"))).isTrue();
        assertThat(Files.exists(dataDir.resolve("postmaster.pid"))).isFalse();
        System.out.printf("full restore (unpack, pg_verifybackup, recovery, checks): %.1f s%n", restore.getLong("durationMs") / 1000.0);

        // not started: a data directory ready to start, which replays to the target when it does
        Path notStarted = scratchDir("restored-not-started");
        JsonPath prepared = restore("latest", Map.of("dataDirectory", notStarted.toString()));
        assertThat(prepared.getString("status")).as(prepared.prettify()).isEqualTo("succeeded");
        assertThat(prepared.get("port") == null).isTrue();
        assertThat(prepared.getBoolean("serverRunning")).isFalse();
        assertThat(notStarted.resolve("recovery.signal")).exists();
        assertThat(Files.readString(notStarted.resolve("postgresql.auto.conf")))
                .contains("restore_command = 'cp \"" + notStarted + ".wal/%f\"");
    }

    @Test
    @Order(4)
    void oneSchemaOfALogicalDumpIsRestoredIntoAScratchServer() throws IOException {
        JsonPath dump = takeBackup("postgres-logical");
        assertThat(dump.getString("status")).isEqualTo("succeeded");
        assertThat(dump.getList("files.name", String.class)).contains("restore_probe.dump", "backup.dump", "public.dump", "backup.json");
        JsonPath restore = restore(dump.getString("id"), Map.of("schema", "restore_probe", "dataDirectory",
                scratchDir("restored-schema").toString()));
        assertThat(restore.getString("status")).as(restore.prettify()).isEqualTo("succeeded");
        assertThat(restore.getString("kind")).isEqualTo("schema");
        assertThat(restore.getList("checks.detail", String.class)).containsExactly("1 tables, " + PROBE_ROWS + " rows");
        assertThat(restore.getBoolean("serverRunning")).isFalse();
        // "public" exists in every new database and its dump has no CREATE SCHEMA: restored all the same
        JsonPath publicSchema = restore(dump.getString("id"), Map.of("schema", "public", "dataDirectory",
                scratchDir("restored-public").toString()));
        assertThat(publicSchema.getString("status")).as(publicSchema.prettify()).isEqualTo("succeeded");
        // a full backup cannot serve a schema restore, and a logical dump has no schema it did not dump
        given().header("Authorization", admin()).contentType(ContentType.JSON).body(Map.of("schema", "restore_probe"))
                .post("/api/v1/backups/" + firstFullBackup + "/restore").then().statusCode(409).contentType("application/problem+json");
        given().header("Authorization", admin()).contentType(ContentType.JSON).body(Map.of("schema", "nowhere"))
                .post("/api/v1/backups/" + dump.getString("id") + "/restore").then().statusCode(422);
    }

    @Test
    @Order(5)
    void restoreDrillRestoresTheLatestVerifiedBackupAndRecordsItsDuration() {
        JsonPath drill = takeBackup("restore-drill");
        assertThat(drill.getString("status")).as(drill.prettify()).isEqualTo("succeeded");
        assertThat(drill.getDouble("details.restoreSeconds")).isPositive();
        assertThat(drill.getLong("durationMs")).isPositive();
        assertThat(drill.getList("details.checks.ok", Boolean.class)).isNotEmpty().allMatch(ok -> ok);
        assertThat(drill.getList("details.checks.name", String.class)).contains("schema restore_probe");
        System.out.printf("restore drill: restore %.1f s, whole drill %.1f s%n", drill.getDouble("details.restoreSeconds"),
                drill.getLong("durationMs") / 1000.0);
    }

    @Test
    @Order(6)
    void operatorsRestoreCommandWorksFromTheStorageAloneAsASeparateProcess() throws Exception {
        String listing = command("list");
        assertThat(listing).contains(firstFullBackup).contains("postgres-logical");
        Path dataDir = scratchDir("restored-by-command");
        String restored = command("restore", "--backup", firstFullBackup, "--data-dir", dataDir.toString(), "--start");
        assertThat(restored).contains("check ok   schema restore_probe: 1 tables, " + PROBE_ROWS + " rows")
                .contains("(checked and stopped)");
        assertThat(command("verify", "--backup", firstFullBackup)).contains("verified (");
    }

    @Test
    @Order(7)
    void pointInTimeRestoreThroughThePlainJavaApiStopsAtTheTargetTime() throws Exception {
        InfraHarness harness = SharedInfra.harness();
        harness.queryAsSuperuser("INSERT INTO restore_probe.items SELECT n, 'before' FROM generate_series(100001, 100010) n");
        Thread.sleep(1100);
        OffsetDateTime target = OffsetDateTime.parse(harness.queryAsSuperuser(
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS t").get(0).get("t"));
        Thread.sleep(1100);
        harness.queryAsSuperuser("INSERT INTO restore_probe.items SELECT n, 'after' FROM generate_series(200001, 200010) n");
        harness.queryAsSuperuser("SELECT pg_switch_wal()");
        // a stand-in for the WAL archive: the server's own finished segments
        Path archive = scratchDir("wal-archive");
        Files.createDirectories(archive);
        Path pgWal = Path.of(harness.queryAsSuperuser("SHOW data_directory").get(0).get("data_directory"), "pg_wal");
        try (Stream<Path> segments = Files.list(pgWal)) {
            for (Path segment : segments.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).toList()) {
                Files.copy(segment, archive.resolve(segment.getFileName()));
            }
        }
        DirectoryStorage storage = new DirectoryStorage(backupDir);
        BackupDescriptor backup = new StoredBackups(storage).find(firstFullBackup, "postgres-full").orElseThrow();
        PostgresRestorer restorer = new PostgresRestorer(PgTools.locate(Optional.empty()), storage, scratchDir("work"),
                line -> System.out.println("pitr: " + line));
        Path dataDir = scratchDir("pitr");
        RestoreOutcome outcome = restorer.restoreAndStart(backup, target, dataDir, new DirectoryWalSource(archive));
        try {
            assertThat(outcome.walSegments()).isPositive();
            assertThat(psql(outcome.port(), "SELECT count(*) FILTER (WHERE note = 'before') || ' '"
                    + " || count(*) FILTER (WHERE note = 'after') FROM restore_probe.items")).isEqualTo("10 0");
        } finally {
            restorer.stop(dataDir);
        }
    }

    @Test
    @Order(8)
    void reVerificationFindsACorruptedFileAndTheRunIsNoLongerVerified() throws IOException {
        JsonPath fresh = takeBackup("postgres-full");
        String id = fresh.getString("id");
        given().header("Authorization", operator()).post("/api/v1/backups/" + id + "/verify").then().statusCode(200)
                .body("verified", equalTo(true));

        Path archive = backupDir.resolve(fresh.getString("location")).resolve("base.tar.gz");
        try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int original = file.read();
            file.seek(file.length() / 2);
            file.write(original ^ 0xFF);
        }
        given().header("Authorization", operator()).post("/api/v1/backups/" + id + "/verify").then().statusCode(200)
                .body("verified", equalTo(false)).body("error", containsString("base.tar.gz"));
        JsonPath after = given().header("Authorization", operator()).get("/api/v1/backups/" + id).then().statusCode(200).extract()
                .jsonPath();
        assertThat(after.getBoolean("verified")).isFalse();
        assertThat(after.getString("error")).contains("base.tar.gz: SHA-256");
        // an unverified backup is not restored
        given().header("Authorization", admin()).contentType(ContentType.JSON).body("{}").post("/api/v1/backups/" + id + "/restore").then()
                .statusCode(409).body("detail", containsString("not verified"));
    }

    // ------------------------------------------------------------------------------------------------------------ helpers

    private static JsonPath takeBackup(String kind) {
        String id = given().header("Authorization", operator()).contentType(ContentType.JSON).body(Map.of("kind", kind))
                .post("/api/v1/backups").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = given().header("Authorization", operator()).get("/api/v1/backups/" + id).then().statusCode(200).extract()
                    .jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            sleep();
        }
        throw new AssertionError(kind + " backup " + id + " still running after 5 minutes");
    }

    private static JsonPath restore(String backupId, Map<String, Object> body) {
        String location = given().header("Authorization", admin()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/backups/" + backupId + "/restore").then().statusCode(202).body("status", equalTo("running")).extract()
                .header("Location");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = given().header("Authorization", admin()).get(location).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            sleep();
        }
        throw new AssertionError("restore " + location + " still running after 5 minutes");
    }

    private String command(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.junoscommander.backup.restore.RestoreCommand"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BACKUP_DIR", backupDir.toAbsolutePath().toString());
        builder.environment().remove("BACKUP_S3_BUCKET");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static String psql(int port, String sql) {
        InfraHarness harness = SharedInfra.harness();
        return run(List.of(InfraHarness.postgresBinDir().resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                harness.settings().user(), "-d", harness.settings().database(), "-X", "-A", "-t", "-c", sql),
                Map.of("PGPASSWORD", harness.dbPassword())).strip();
    }

    private static String run(List<String> command) {
        return run(command, Map.of());
    }

    private static String run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A new folder's path under /tmp (PostgreSQL's user can reach it); the restore creates it. */
    private static Path scratchDir(String name) throws IOException {
        Path parent = Files.createTempDirectory("jc-restore-test-");
        SCRATCH.add(parent);
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        return parent.resolve(name);
    }

    private static String admin() {
        return InternalTokens.bearer("ada", "admin");
    }

    private static String operator() {
        return InternalTokens.bearer("otto", "operator");
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
