package io.junoscommander.infra;

import static io.junoscommander.infra.HarnessFiles.COMMAND_TIMEOUT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The harness's PostgreSQL: one cluster from Debian's binaries, run as the {@code postgres} user, with the application's
 * role and database and the backup role ({@link InfraHarness#BACKUP_USER}) that streams WAL and dumps.
 */
final class PostgresServer {

    private static final String BACKUP_CONFIG = "max_wal_senders = 10\nmax_replication_slots = 10\n";
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private final InfraSettings settings;
    private final HarnessState state;

    PostgresServer(InfraSettings settings, HarnessState state) {
        this.settings = settings;
        this.state = state;
    }

    /**
     * Starts PostgreSQL unless it runs, and makes sure the backup role and its {@code pg_hba.conf} lines exist. Also the way
     * back after {@link #kill()}: {@code pg_ctl start} finds the stale {@code postmaster.pid} of the dead postmaster, starts
     * anyway and the server replays its WAL (crash recovery) before it accepts connections.
     */
    void start() {
        Path dir = settings.postgresDir();
        Path data = dir.resolve("data");
        boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
        if (fresh) {
            HarnessFiles.createOwnedByPostgres(dir);
            Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("initdb").toString(), "-D", data.toString(), "-U",
                    "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C")), Map.of(), null,
                    COMMAND_TIMEOUT);
            appendConfig(data.resolve("postgresql.conf"));
        } else {
            appendBackupConfigIfMissing(data.resolve("postgresql.conf"));
        }
        boolean hbaChanged = allowBackupUserInPgHba(data.resolve("pg_hba.conf"));
        if (runs()) {
            if (hbaChanged) {
                psqlAsSuperuser("postgres", "SELECT pg_reload_conf();");
            }
            ensureBackupRole();
            return;
        }
        Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("postgres.log").toString(), "-w", "-t", "60", "start")), Map.of(), null, COMMAND_TIMEOUT);
        if (fresh) {
            String password = state.dbPassword().replace("'", "''");
            psqlAsSuperuser("postgres", "CREATE ROLE \"" + settings.user() + "\" LOGIN PASSWORD '" + password + "';\n"
                    + "CREATE DATABASE \"" + settings.database() + "\" OWNER \"" + settings.user() + "\";\n");
        }
        ensureBackupRole();
    }

    /** {@code pg_ctl stop -m fast}: sessions are ended, the server shuts down cleanly. */
    void stop() {
        Optional<Long> pid = pid();
        if (pid.isEmpty() || !HarnessFiles.isAlive(pid.get())) {
            return;
        }
        Commands.run(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_ctl").toString(), "-D",
                settings.postgresDir().resolve("data").toString(), "-m", "fast", "-w", "-t", "30", "stop")), COMMAND_TIMEOUT);
        HarnessFiles.awaitExit(pid.get());
    }

    /**
     * {@code kill -9} of the postmaster, as a crash would do it; returns once the postmaster and every child it had are gone,
     * so {@link #start()} can start it again (with crash recovery).
     */
    void kill() {
        long pid = pid().filter(HarnessFiles::isAlive).orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
        List<ProcessHandle> children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        HarnessFiles.awaitExit(pid);
        // backends and auxiliary processes notice the postmaster's death and leave by themselves; stragglers are killed
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (children.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                children.forEach(ProcessHandle::destroyForcibly);
            }
            HarnessFiles.sleep(50);
        }
    }

    Optional<Long> pid() {
        return HarnessFiles.readPid(settings.postgresDir().resolve("data").resolve("postmaster.pid"));
    }

    private boolean runs() {
        return pid().map(HarnessFiles::isAlive).orElse(false);
    }

    /** {@code ALTER SYSTEM SET} (or {@code RESET} when {@code value == null}) and a reload; see the facade's documentation. */
    void setParameter(String name, String value) {
        if (name == null || !PARAMETER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL parameter name: " + name);
        }
        String change = value == null ? "ALTER SYSTEM RESET " + name + ";\n"
                : "ALTER SYSTEM SET " + name + " = '" + value.replace("'", "''") + "';\n";
        psqlAsSuperuser("postgres", change + "SELECT pg_reload_conf();\n");
    }

    /** Runs SQL as the superuser over the Unix socket in the application's database; rows as column maps. */
    List<Map<String, String>> queryAsSuperuser(String sql) {
        return parseTable(psqlAsSuperuser(settings.database(), sql));
    }

    /** A plain-SQL {@code pg_dump} of the application's database. */
    String dump() {
        return Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_dump").toString(), "-h",
                settings.postgresDir().toString(), "-p", Integer.toString(settings.ports().postgres()), "-U", "postgres", "-d",
                settings.database())), Map.of(), null, COMMAND_TIMEOUT).output();
    }

    /**
     * The backup role, created when missing and given the harness's password every time (the local stack keeps its data
     * directory between runs, and a state file may have been recreated). {@code pg_read_all_data} lets {@code pg_dump} read
     * every schema; REPLICATION covers base backups, WAL streaming and creating or dropping replication slots. Settings that
     * need ALTER SYSTEM (e.g. {@code synchronous_standby_names}) go through {@link #setParameter} instead.
     */
    private void ensureBackupRole() {
        String password = state.backupDbPassword().replace("'", "''");
        psqlAsSuperuser("postgres", """
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1$s') THEN
                        CREATE ROLE %1$s LOGIN REPLICATION;
                    END IF;
                END
                $$;
                ALTER ROLE %1$s WITH LOGIN REPLICATION PASSWORD '%2$s';
                GRANT pg_read_all_data TO %1$s;
                -- the WAL sender's positions and lag (pg_stat_replication)
                GRANT pg_monitor TO %1$s;
                """.formatted(InfraHarness.BACKUP_USER, password));
        // a function's privileges belong to one database: the incremental backup switches WAL from the application's
        psqlAsSuperuser(settings.database(), "GRANT EXECUTE ON FUNCTION pg_switch_wal() TO " + InfraHarness.BACKUP_USER + ";");
    }

    /**
     * Debian's {@code initdb --auth-host=scram-sha-256} already writes {@code host all all 127.0.0.1/32} and {@code host
     * replication all 127.0.0.1/32} lines; a line for the backup user is added only where no line covers it. Returns whether
     * the file changed (a running server then needs a reload).
     */
    private boolean allowBackupUserInPgHba(Path hba) {
        List<String[]> rules;
        try {
            rules = Files.readAllLines(hba, StandardCharsets.UTF_8).stream().map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty()).map(line -> line.split("\\s+")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + hba, e);
        }
        String user = InfraHarness.BACKUP_USER;
        StringBuilder missing = new StringBuilder();
        for (String database : List.of("replication", "all")) {
            boolean covered = rules.stream().anyMatch(rule -> rule.length >= 5 && "host".equals(rule[0])
                    && List.of(rule[1].split(",")).contains(database)
                    && (List.of(rule[2].split(",")).contains(user) || "all".equals(rule[2])) && "127.0.0.1/32".equals(rule[3]));
            if (!covered) {
                missing.append("host ").append(database).append(' ').append(user).append(" 127.0.0.1/32 scram-sha-256\n");
            }
        }
        if (missing.isEmpty()) {
            return false;
        }
        HarnessFiles.appendAsPostgresUser(hba, "# backups (JunosCommander infrastructure harness)\n" + missing);
        return true;
    }

    /**
     * Data directories created before backups were supported (the local stack keeps its own) get the replication settings
     * appended; later lines win in {@code postgresql.conf}, and they take effect at the next start.
     */
    private void appendBackupConfigIfMissing(Path conf) {
        boolean present;
        try {
            present = Files.readAllLines(conf, StandardCharsets.UTF_8).stream()
                    .anyMatch(line -> line.strip().startsWith("max_replication_slots"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + conf, e);
        }
        if (!present) {
            HarnessFiles.appendAsPostgresUser(conf, "\n# backups (JunosCommander infrastructure harness)\n" + BACKUP_CONFIG);
        }
    }

    private void appendConfig(Path conf) {
        StringBuilder extra = new StringBuilder("\n# written by the JunosCommander infrastructure harness\n");
        extra.append("listen_addresses = '127.0.0.1'\n");
        extra.append("port = ").append(settings.ports().postgres()).append('\n');
        extra.append("unix_socket_directories = '").append(settings.postgresDir()).append("'\n");
        extra.append("max_connections = 200\n");
        extra.append("shared_buffers = 64MB\n");
        // replica level, WAL senders and slots so base backups, pg_receivewal on a slot and WAL archiving work against this server
        extra.append("wal_level = replica\n");
        extra.append(BACKUP_CONFIG);
        extra.append("password_encryption = scram-sha-256\n");
        if (settings.tls()) {
            // offered, not required: migrations and the backup tools connect here directly with the services' DB_SSL_MODE,
            // while PgBouncer's own server connections and the harness's psql (Unix socket) stay plain on this host
            Path data = conf.getParent();
            HarnessFiles.writeAsPostgresUser(data.resolve("server.crt"), HarnessFiles.read(settings.tlsCertificates().certificate()));
            HarnessFiles.writeAsPostgresUser(data.resolve("server.key"), HarnessFiles.read(settings.tlsCertificates().key()));
            extra.append("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        }
        if (!settings.durable()) {
            // tests throw the data away; skipping fsync keeps a 2-core machine responsive
            extra.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        HarnessFiles.appendAsPostgresUser(conf, extra.toString());
    }

    private String psqlAsSuperuser(String database, String sql) {
        return Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.require("psql", "postgresql-client").toString(), "-h",
                settings.postgresDir().toString(), "-p", Integer.toString(settings.ports().postgres()), "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-X", "-A", "-F", "\t", "-P", "footer=off", "-f", "-")), Map.of(), sql, COMMAND_TIMEOUT).output();
    }

    /** psql's unaligned output (tab separated, header first) as rows of column maps. */
    static List<Map<String, String>> parseTable(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split("\t", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < cells.length; i++) {
                row.put(header[i], cells[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
