package io.junoscommander.backup.restore;

import io.junoscommander.backup.postgres.Archives;
import io.junoscommander.backup.postgres.DatabaseFacts;
import io.junoscommander.backup.postgres.PgTools;
import io.junoscommander.backup.postgres.PostgresFullBackup;
import io.junoscommander.backup.postgres.PostgresLogicalBackup;
import io.junoscommander.backup.storage.BackupStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Restores PostgreSQL backups without ever touching the running database: a full backup into a new data directory
 * (objects proven by SHA-256, unpacked, {@code pg_verifybackup}, recovery configured, optionally started on a free port
 * and checked), or one schema of a logical dump into a fresh scratch server. A plain class: the service's API and drill
 * wrap it, and so does the operator's command that runs without the services.
 */
public final class PostgresRestorer {

    private static final Duration TOOL_TIMEOUT = Duration.ofHours(6);
    private static final DateTimeFormatter RECOVERY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    private final PgTools tools;
    private final BackupStorage storage;
    private final Path workDir;
    private final Consumer<String> progress;

    /** {@code workDir}: scratch space for downloads; {@code progress}: one line per step, for logs or the terminal. */
    public PostgresRestorer(PgTools tools, BackupStorage storage, Path workDir, Consumer<String> progress) {
        this.tools = tools;
        this.storage = storage;
        this.workDir = workDir;
        this.progress = progress;
    }

    /**
     * Restores the full backup {@code backup} into {@code dataDir} (which must not exist or be empty), configured to recover
     * to {@code options.targetTime()} or the latest state and then promote; started, waited for and checked when
     * {@code options.start()}.
     */
    public RestoreOutcome restoreFull(BackupDescriptor backup, Path dataDir, RestoreOptions options) throws IOException {
        if (!"postgres-full".equals(backup.kind())) {
            throw new IllegalArgumentException("backup " + backup.id() + " is a " + backup.kind() + " backup, not postgres-full");
        }
        long start = System.nanoTime();
        prepareEmptyDirectory(dataDir);
        Path downloads = Files.createDirectories(workDir.resolve("restore-" + UUID.randomUUID()));
        Path walDir = walStagingDir(dataDir);
        try {
            progress.accept("downloading backup " + backup.id() + " from " + storage.describe());
            Path archive = downloads.resolve(PostgresFullBackup.ARCHIVE);
            Path manifest = downloads.resolve(PostgresFullBackup.MANIFEST);
            ObjectFetcher.fetch(storage, backup, PostgresFullBackup.MANIFEST, manifest);
            ObjectFetcher.fetch(storage, backup, PostgresFullBackup.ARCHIVE, archive);
            progress.accept("unpacking into " + dataDir);
            Archives.unpack(tools, archive, dataDir);
            Files.delete(archive);
            progress.accept("checking the restored files with pg_verifybackup");
            tools.run(List.of(tools.bin("pg_verifybackup"), "-m", manifest.toString(), dataDir.toString()), Map.of(), TOOL_TIMEOUT);

            Files.createDirectories(walDir);
            int segments = 0;
            if (options.walSource() != null && backup.walStart() != null) {
                segments = options.walSource().stage(walDir, backup.walStart());
                progress.accept("staged " + segments + " archived WAL segments from " + backup.walStart());
            }
            configureRecovery(dataDir, walDir, options);
            tools.ownForServer(dataDir);
            tools.ownForServer(walDir);
            if (!options.start()) {
                progress.accept("restored into " + dataDir + " (not started; starting it replays WAL from " + walDir + ")");
                return new RestoreOutcome(dataDir, null, false, null, List.of(), segments, null, seconds(start));
            }
            return startAndCheck(backup, dataDir, walDir, options, segments, start);
        } finally {
            ScratchServer.deleteTree(downloads);
        }
    }

    private RestoreOutcome startAndCheck(BackupDescriptor backup, Path dataDir, Path walDir, RestoreOptions options, int segments,
            long start) throws IOException {
        int port = options.port() == null ? ScratchServer.freePort() : options.port();
        progress.accept("starting the restored server on port " + port);
        ScratchServer server = ScratchServer.start(tools, dataDir, port);
        boolean keep = false;
        try {
            String superuser = superuser(backup);
            server.awaitRecoveryFinished(superuser, options.recoveryTimeout());
            // recovery is over: the staged WAL is no longer read
            ScratchServer.deleteTree(walDir);
            // psql prints nothing for an empty string, so "none" stands for "no commit replayed"
            String replayed = server.query(superuser, "postgres", "SELECT coalesce(pg_last_xact_replay_timestamp()::text, 'none')").get(0)
                    .get(0);
            String lastCommit = "none".equals(replayed) ? "" : replayed;
            List<RestoreCheck> checks = check(server, backup, superuser, databaseOf(backup), null, options.requireRecordedCounts());
            progress.accept("recovery finished (last replayed commit " + (lastCommit.isEmpty() ? "none" : lastCommit) + "); "
                    + checks.stream().filter(RestoreCheck::ok).count() + "/" + checks.size() + " checks passed");
            keep = options.keepRunning();
            return new RestoreOutcome(dataDir, port, keep, keep ? server.stopCommand() : null, checks, segments,
                    lastCommit.isEmpty() ? null : lastCommit, seconds(start));
        } finally {
            if (!keep) {
                server.stop();
            }
        }
    }

    /**
     * For callers such as tests and the WAL engineer's point-in-time checks: restores {@code backup} into {@code dataDir}, up to
     * {@code targetTime} (null: the latest state) with the WAL {@code wal} stages (null: the backup's own), starts it on a free
     * port and leaves it running; the outcome's {@code port()} reaches it, {@link #stop(Path)} stops it.
     */
    public RestoreOutcome restoreAndStart(BackupDescriptor backup, OffsetDateTime targetTime, Path dataDir,
            io.junoscommander.backup.postgres.WalSource wal) throws IOException {
        return restoreFull(backup, dataDir, new RestoreOptions(targetTime, true, null, true, false, wal, Duration.ofMinutes(30)));
    }

    /** Stops a server a restore left running in {@code dataDir} and removes its private folder. */
    public void stop(Path dataDir) {
        tools.attempt(PgTools.asServerUser(List.of(tools.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "stop")), Map.of(),
                Duration.ofMinutes(3));
        ScratchServer.deleteTree(ScratchServer.runDir(dataDir));
    }

    /**
     * Restores one schema of the logical backup {@code backup} into a fresh server initialised in {@code dataDir} (same
     * database name as the source), started on {@code options.port()} or a free port, checked, and stopped unless kept.
     */
    public RestoreOutcome restoreSchema(BackupDescriptor backup, String schema, Path dataDir, RestoreOptions options) throws IOException {
        if (!"postgres-logical".equals(backup.kind())) {
            throw new IllegalArgumentException("backup " + backup.id() + " is a " + backup.kind() + " backup, not postgres-logical");
        }
        String object = PostgresLogicalBackup.objectName(schema);
        if (backup.files().stream().noneMatch(f -> f.name().equals(object))) {
            throw new IllegalArgumentException("backup " + backup.id() + " has no dump of schema " + schema);
        }
        long start = System.nanoTime();
        prepareEmptyDirectory(dataDir);
        Path downloads = Files.createDirectories(workDir.resolve("restore-" + UUID.randomUUID()));
        try {
            Path dump = downloads.resolve(object);
            ObjectFetcher.fetch(storage, backup, object, dump);
            tools.ownForServer(downloads);
            tools.ownForServer(dataDir);
            progress.accept("initialising a scratch server in " + dataDir);
            tools.run(PgTools.asServerUser(List.of(tools.bin("initdb"), "-D", dataDir.toString(), "-U", "postgres", "-E", "UTF8",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")), Map.of(), TOOL_TIMEOUT);
            int port = options.port() == null ? ScratchServer.freePort() : options.port();
            ScratchServer server = ScratchServer.start(tools, dataDir, port);
            boolean keep = false;
            try {
                String database = databaseOf(backup);
                List<String> createdb = new ArrayList<>(List.of(tools.bin("createdb")));
                createdb.addAll(server.connection("postgres", "postgres").subList(0, 6));
                createdb.add(database);
                tools.run(createdb, Map.of(), TOOL_TIMEOUT);
                progress.accept("restoring schema " + schema + " into database " + database + " on port " + port);
                // a fresh database has "public" already, and pg_dump writes no CREATE SCHEMA for it: make the schema's
                // existence match what the dump expects
                String listing = tools.run(List.of(tools.bin("pg_restore"), "--list", dump.toString()), Map.of(), TOOL_TIMEOUT).output();
                boolean dumpCreatesSchema = listing.lines().anyMatch(line -> line.matches("\\d+; \\d+ \\d+ SCHEMA - "
                        + Pattern.quote(schema) + " .*"));
                String identifier = "\"" + schema.replace("\"", "\"\"") + "\"";
                server.query("postgres", database, dumpCreatesSchema ? "DROP SCHEMA IF EXISTS " + identifier + " CASCADE"
                        : "CREATE SCHEMA IF NOT EXISTS " + identifier);
                // the dump holds this one schema (pg_dump -n); "pg_restore -n" would skip the CREATE SCHEMA itself
                List<String> restore = new ArrayList<>(List.of(tools.bin("pg_restore"), "--exit-on-error", "--no-owner",
                        "--no-privileges"));
                restore.addAll(server.connection("postgres", database));
                restore.add(dump.toString());
                tools.run(restore, Map.of(), TOOL_TIMEOUT);
                List<RestoreCheck> checks = check(server, backup, "postgres", database, schema, options.requireRecordedCounts());
                keep = options.keepRunning();
                return new RestoreOutcome(dataDir, port, keep, keep ? server.stopCommand() : null, checks, 0, null, seconds(start));
            } finally {
                if (!keep) {
                    server.stop();
                }
            }
        } finally {
            ScratchServer.deleteTree(downloads);
        }
    }

    /**
     * The sanity checks: every schema recorded at backup time (only {@code onlySchema} when given) is there with every
     * table; with {@code requireCounts}, each table holds at least the rows it held then.
     */
    static List<RestoreCheck> check(ScratchServer server, BackupDescriptor backup, String user, String database, String onlySchema,
            boolean requireCounts) {
        Map<String, Map<String, Long>> found = DatabaseFacts.rowCounts(serverTools(server), server.connection(user, database), Map.of());
        List<RestoreCheck> checks = new ArrayList<>();
        for (Map.Entry<String, Map<String, Number>> schema : backup.recordedSchemas().entrySet()) {
            if (onlySchema != null && !onlySchema.equals(schema.getKey())) {
                continue;
            }
            Map<String, Long> tables = found.get(schema.getKey());
            if (tables == null) {
                checks.add(new RestoreCheck("schema " + schema.getKey(), false, "missing"));
                continue;
            }
            List<String> problems = new ArrayList<>();
            long rows = 0;
            for (Map.Entry<String, Number> table : schema.getValue().entrySet()) {
                Long actual = tables.get(table.getKey());
                long recorded = table.getValue().longValue();
                if (actual == null) {
                    problems.add(table.getKey() + " missing");
                } else {
                    rows += actual;
                    if (requireCounts && actual < recorded) {
                        problems.add(table.getKey() + " has " + actual + " rows, " + recorded + " recorded");
                    }
                }
            }
            checks.add(new RestoreCheck("schema " + schema.getKey(), problems.isEmpty(), problems.isEmpty()
                    ? schema.getValue().size() + " tables, " + rows + " rows" : String.join("; ", problems)));
        }
        if (checks.isEmpty()) {
            checks.add(new RestoreCheck("schemas", !found.isEmpty() || onlySchema == null, found.size() + " schemas found"));
        }
        return checks;
    }

    private static PgTools serverTools(ScratchServer server) {
        return server.tools();
    }

    /** Appends the recovery settings to {@code postgresql.auto.conf} and creates {@code recovery.signal}. */
    static void configureRecovery(Path dataDir, Path walDir, RestoreOptions options) throws IOException {
        StringBuilder settings = new StringBuilder("\n# added by the JunosCommander restore\n");
        settings.append("restore_command = 'cp \"").append(walDir).append("/%f\" \"%p\"'\n");
        if (options.targetTime() != null) {
            // PostgreSQL reads "2026-12-01 02:30:00.000000+00:00", not ISO-8601's "T…Z"
            settings.append("recovery_target_time = '").append(RECOVERY_TIME.format(options.targetTime().withOffsetSameInstant(
                    ZoneOffset.UTC))).append("'\n");
        }
        settings.append("recovery_target_action = 'promote'\n");
        Files.writeString(dataDir.resolve("postgresql.auto.conf"), settings, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Files.writeString(dataDir.resolve("recovery.signal"), "");
    }

    /** Where the archived WAL for a restore is staged: beside the data directory, never inside it. */
    public static Path walStagingDir(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".wal");
    }

    /**
     * The data directory must be new: missing, or an empty folder. Parents are created traversable (755); existing ones
     * must let the server's user through.
     */
    static void prepareEmptyDirectory(Path dataDir) throws IOException {
        if (PgTools.runningAsRoot()) {
            for (Path parent = dataDir.toAbsolutePath().getParent(); parent != null; parent = parent.getParent()) {
                if (Files.exists(parent) && !Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)
                        && !"postgres".equals(Files.getOwner(parent).getName())) {
                    throw new IllegalArgumentException("the postgres user cannot reach " + dataDir + ": " + parent
                            + " is not traversable by others (chmod o+x " + parent + ")");
                }
            }
        }
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dataDir + " is not empty; a restore only writes into a new data directory");
                }
            }
        }
        Files.createDirectories(dataDir);
        if (Files.exists(walStagingDir(dataDir))) {
            ScratchServer.deleteTree(walStagingDir(dataDir));
        }
    }

    static String superuser(BackupDescriptor backup) {
        String name = backup.detail("superuser");
        return name == null ? "postgres" : name;
    }

    static String databaseOf(BackupDescriptor backup) {
        String name = backup.detail("database");
        return name == null ? "postgres" : name;
    }

    private static double seconds(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
    }
}
