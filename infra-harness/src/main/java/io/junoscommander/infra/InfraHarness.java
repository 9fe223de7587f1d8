package io.junoscommander.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * PostgreSQL, PgBouncer in transaction mode, a Redis master with two replicas and three Sentinels, started from Debian
 * binaries on loopback in a directory the harness owns. The tests (through {@code InfraTestResource}) and the local stack
 * (through {@link InfraHarnessMain}) both use this one implementation.
 */
public final class InfraHarness implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String STATE_FILE = "harness.properties";
    private static final String OWNER_FILE = "owner.pid";
    private static final String PGBOUNCER_ADMIN = "jcadmin";
    /** The role a backup service logs in as: replication protocol (base backups, WAL streaming, slots) and read-all for dumps. */
    public static final String BACKUP_USER = "jc_backup";
    private static final String BACKUP_PASSWORD_KEY = "backup-db-password";
    private static final String BACKUP_CONFIG = "max_wal_senders = 10\nmax_replication_slots = 10\n";
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private final InfraSettings settings;
    private final Properties state;

    private InfraHarness(InfraSettings settings, Properties state) {
        this.settings = settings;
        this.state = state;
    }

    /**
     * Starts every component that is not already running. Safe to call again on the same directory: running components
     * are left alone and the generated passwords are kept.
     */
    public static InfraHarness start(InfraSettings settings) {
        InfraHarness harness = new InfraHarness(settings, loadOrCreateState(settings));
        harness.startAll();
        return harness;
    }

    /** Tests own their harness: it dies with the JVM, and harnesses of JVMs that died without cleaning up are removed. */
    public static InfraHarness startForTests(String name) {
        return startForTests(name, false);
    }

    /**
     * Like {@link #startForTests(String)}; with {@code tls} every client connection must be encrypted (a CA and server
     * certificate are generated for the harness, see {@link InfraSettings#tls()}).
     */
    public static InfraHarness startForTests(String name, boolean tls) {
        sweepAbandoned(InfraSettings.TEST_ROOT);
        InfraSettings plain = InfraSettings.forTests(name);
        InfraSettings settings = tls ? plain.withTls() : plain;
        // the folder is named after this JVM's pid: one found there was left by an earlier process that had the same pid
        stopAndDelete(settings.directory());
        writeOwner(settings.directory());
        InfraHarness harness;
        try {
            harness = start(settings);
        } catch (RuntimeException e) {
            stopAndDelete(settings.directory());
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndDelete(settings.directory()), "infra-harness-stop"));
        return harness;
    }

    /** A harness started earlier (by another process) in {@code directory}, to inspect or stop it. */
    public static Optional<InfraHarness> attach(Path directory) {
        Path stateFile = directory.resolve(STATE_FILE);
        if (!Files.exists(stateFile)) {
            return Optional.empty();
        }
        Properties state = readProperties(stateFile);
        InfraSettings settings = new InfraSettings(directory, InfraPorts.load(state), state.getProperty("database"),
                state.getProperty("user"), state.getProperty("master-name"), Integer.parseInt(state.getProperty("down-after-ms")),
                Integer.parseInt(state.getProperty("failover-timeout-ms")), Boolean.parseBoolean(state.getProperty("durable")),
                Boolean.parseBoolean(state.getProperty("tls", "false")));
        return Optional.of(new InfraHarness(settings, state));
    }

    public InfraSettings settings() {
        return settings;
    }

    /** The configuration a service needs, under the environment variable names the README documents. */
    public Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_PORT", Integer.toString(settings.ports().pgBouncer()));
        env.put("DB_NAME", settings.database());
        env.put("DB_USER", settings.user());
        env.put("DB_PASSWORD", dbPassword());
        env.put("DB_MIGRATION_HOST", "127.0.0.1");
        env.put("DB_MIGRATION_PORT", Integer.toString(settings.ports().postgres()));
        env.put("REDIS_SENTINEL_NODES",
                String.join(",", settings.ports().sentinels().stream().map(port -> "127.0.0.1:" + port).toList()));
        env.put("REDIS_SENTINEL_MASTER", settings.masterName());
        // the backup service talks to PostgreSQL itself (replication protocol, pg_dump), never through PgBouncer
        env.put("BACKUP_DB_HOST", "127.0.0.1");
        env.put("BACKUP_DB_PORT", Integer.toString(settings.ports().postgres()));
        env.put("BACKUP_DB_USER", BACKUP_USER);
        env.put("BACKUP_DB_PASSWORD", backupDbPassword());
        if (settings.tls()) {
            // full verification: the server certificate names 127.0.0.1, the address every client here uses
            String authority = tlsCertificates().authority().toString();
            env.put("DB_SSL_MODE", "verify-full");
            env.put("DB_SSL_ROOT_CERT", authority);
            env.put("REDIS_TLS", "true");
            env.put("REDIS_TLS_CA_FILE", authority);
        }
        return env;
    }

    /** The CA and server certificate of a TLS harness ({@link InfraSettings#tls()}); clients trust {@code authority()}. */
    public TlsCertificates tlsCertificates() {
        if (!settings.tls()) {
            throw new IllegalStateException("this harness runs without TLS");
        }
        Path dir = settings.tlsDir().toAbsolutePath();
        return new TlsCertificates(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    public String dbPassword() {
        return state.getProperty("db-password");
    }

    /** The password of {@link #BACKUP_USER}, generated once and kept in the harness's state file. */
    public String backupDbPassword() {
        return state.getProperty(BACKUP_PASSWORD_KEY);
    }

    /** PostgreSQL's own port (not PgBouncer's): the one backups and migrations use. */
    public int postgresPort() {
        return settings.ports().postgres();
    }

    /**
     * Debian's versioned PostgreSQL folder of server binaries, e.g. {@code /usr/lib/postgresql/15/bin}: {@code pg_ctl},
     * {@code postgres}, {@code initdb}, {@code pg_basebackup}, {@code pg_receivewal}, {@code pg_verifybackup}, {@code pg_dump},
     * {@code pg_restore}. The server ones must run as the {@code postgres} user when tests run as root
     * ({@link Commands#asPostgresUser}).
     */
    public static Path postgresBinDir() {
        return DebianBinaries.postgres("pg_ctl").getParent();
    }

    // ---------------------------------------------------------------------------------------------------------- lifecycle

    private void startAll() {
        if (settings.tls() && !Files.exists(tlsCertificates().certificate())) {
            TlsCertificates.generate(settings.tlsDir());
        }
        startPostgres();
        startPgBouncer();
        for (int i = 0; i < 3; i++) {
            startRedis(settings.ports().redis().get(i));
        }
        for (int port : settings.ports().sentinels()) {
            startSentinel(port);
        }
        awaitSentinels();
    }

    /**
     * Stops everything this harness started; waits until every process is gone. Redis and Sentinel each take about two
     * seconds to exit on SIGTERM, so all of them are signalled first and awaited together.
     */
    @Override
    public void close() {
        List<Path> pidFiles = new ArrayList<>();
        for (int port : settings.ports().sentinels()) {
            pidFiles.add(settings.sentinelDir(port).resolve("sentinel.pid"));
        }
        for (int port : settings.ports().redis()) {
            pidFiles.add(settings.redisDir(port).resolve("redis.pid"));
        }
        pidFiles.add(settings.pgBouncerDir().resolve("pgbouncer.pid"));
        List<Long> signalled = new ArrayList<>();
        for (Path pidFile : pidFiles) {
            readPid(pidFile).ifPresent(pid -> {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                signalled.add(pid);
            });
        }
        stopPostgres();
        signalled.forEach(InfraHarness::awaitExit);
    }

    /** One line per component: name, port, pid and whether it runs. */
    public List<String> status() {
        List<String> lines = new ArrayList<>();
        lines.add(describe("postgresql", settings.ports().postgres(), postgresPid()));
        lines.add(describe("pgbouncer", settings.ports().pgBouncer(), readPid(settings.pgBouncerDir().resolve("pgbouncer.pid"))));
        for (int port : settings.ports().redis()) {
            lines.add(describe("redis", port, readPid(settings.redisDir(port).resolve("redis.pid"))));
        }
        for (int port : settings.ports().sentinels()) {
            lines.add(describe("redis-sentinel", port, readPid(settings.sentinelDir(port).resolve("sentinel.pid"))));
        }
        return lines;
    }

    private static String describe(String name, int port, Optional<Long> pid) {
        boolean alive = pid.map(InfraHarness::isAlive).orElse(false);
        return String.format("%-15s 127.0.0.1:%-6d %s", name, port, alive ? "running (pid " + pid.get() + ")" : "stopped");
    }

    // --------------------------------------------------------------------------------------------------------- PostgreSQL

    /**
     * Starts PostgreSQL unless it runs, and makes sure the backup role and its {@code pg_hba.conf} lines exist. Also the way
     * back after {@link #killPostgres()}: {@code pg_ctl start} finds the stale {@code postmaster.pid} of the dead postmaster,
     * starts anyway and the server replays its WAL (crash recovery) before it accepts connections.
     */
    public void startPostgres() {
        Path dir = settings.postgresDir();
        Path data = dir.resolve("data");
        boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
        if (fresh) {
            createOwnedByPostgres(dir);
            Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("initdb").toString(), "-D", data.toString(), "-U",
                    "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C")), Map.of(), null,
                    COMMAND_TIMEOUT);
            appendPostgresConfig(data.resolve("postgresql.conf"));
        } else {
            appendBackupConfigIfMissing(data.resolve("postgresql.conf"));
        }
        boolean hbaChanged = allowBackupUserInPgHba(data.resolve("pg_hba.conf"));
        if (postgresPid().map(InfraHarness::isAlive).orElse(false)) {
            if (hbaChanged) {
                psqlAsSuperuser("postgres", "SELECT pg_reload_conf();");
            }
            ensureBackupRole();
            return;
        }
        Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("postgres.log").toString(), "-w", "-t", "60", "start")), Map.of(), null, COMMAND_TIMEOUT);
        if (fresh) {
            String password = dbPassword().replace("'", "''");
            psqlAsSuperuser("postgres", "CREATE ROLE \"" + settings.user() + "\" LOGIN PASSWORD '" + password + "';\n"
                    + "CREATE DATABASE \"" + settings.database() + "\" OWNER \"" + settings.user() + "\";\n");
        }
        ensureBackupRole();
    }

    /**
     * The backup role, created when missing and given the harness's password every time (the local stack keeps its data
     * directory between runs, and a state file may have been recreated). {@code pg_read_all_data} lets {@code pg_dump} read
     * every schema; REPLICATION covers base backups, WAL streaming and creating or dropping replication slots. Settings that
     * need ALTER SYSTEM (e.g. {@code synchronous_standby_names}) go through {@link #setPostgresParameter} instead.
     */
    private void ensureBackupRole() {
        String password = backupDbPassword().replace("'", "''");
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
                """.formatted(BACKUP_USER, password));
        // a function's privileges belong to one database: the incremental backup switches WAL from the application's
        psqlAsSuperuser(settings.database(), "GRANT EXECUTE ON FUNCTION pg_switch_wal() TO " + BACKUP_USER + ";");
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
        StringBuilder missing = new StringBuilder();
        for (String database : List.of("replication", "all")) {
            boolean covered = rules.stream().anyMatch(rule -> rule.length >= 5 && "host".equals(rule[0])
                    && List.of(rule[1].split(",")).contains(database)
                    && (List.of(rule[2].split(",")).contains(BACKUP_USER) || "all".equals(rule[2])) && "127.0.0.1/32".equals(rule[3]));
            if (!covered) {
                missing.append("host ").append(database).append(' ').append(BACKUP_USER).append(" 127.0.0.1/32 scram-sha-256\n");
            }
        }
        if (missing.isEmpty()) {
            return false;
        }
        appendAsPostgresUser(hba, "# backups (JunosCommander infrastructure harness)\n" + missing);
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
            appendAsPostgresUser(conf, "\n# backups (JunosCommander infrastructure harness)\n" + BACKUP_CONFIG);
        }
    }

    /**
     * {@code kill -9} of the postmaster, as a crash would do it; returns once the postmaster and every child it had are gone,
     * so {@link #startPostgres()} can start it again (with crash recovery).
     */
    public void killPostgres() {
        long pid = postgresPid().filter(InfraHarness::isAlive).orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
        List<ProcessHandle> children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        awaitExit(pid);
        // backends and auxiliary processes notice the postmaster's death and leave by themselves; stragglers are killed
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (children.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                children.forEach(ProcessHandle::destroyForcibly);
            }
            sleep(50);
        }
    }

    /**
     * {@code ALTER SYSTEM SET name = 'value'} as the superuser, then {@code pg_reload_conf()}; {@code value == null} means
     * {@code ALTER SYSTEM RESET name}. The setting lands in {@code postgresql.auto.conf} and outlives restarts: reset what a
     * test set (a {@code synchronous_standby_names} left behind makes every later commit wait). Parameters that need a
     * restart take effect at the next {@link #startPostgres()} after a stop.
     */
    public void setPostgresParameter(String name, String value) {
        if (name == null || !PARAMETER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL parameter name: " + name);
        }
        String change = value == null ? "ALTER SYSTEM RESET " + name + ";\n"
                : "ALTER SYSTEM SET " + name + " = '" + value.replace("'", "''") + "';\n";
        psqlAsSuperuser("postgres", change + "SELECT pg_reload_conf();\n");
    }

    private void appendPostgresConfig(Path conf) {
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
            writeAsPostgresUser(data.resolve("server.crt"), read(tlsCertificates().certificate()));
            writeAsPostgresUser(data.resolve("server.key"), read(tlsCertificates().key()));
            extra.append("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        }
        if (!settings.durable()) {
            // tests throw the data away; skipping fsync keeps a 2-core machine responsive
            extra.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        appendAsPostgresUser(conf, extra.toString());
    }

    private void stopPostgres() {
        Path data = settings.postgresDir().resolve("data");
        Optional<Long> pid = postgresPid();
        if (pid.isEmpty() || !isAlive(pid.get())) {
            return;
        }
        Commands.run(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_ctl").toString(), "-D", data.toString(), "-m", "fast",
                "-w", "-t", "30", "stop")), COMMAND_TIMEOUT);
        awaitExit(pid.get());
    }

    private Optional<Long> postgresPid() {
        return readPid(settings.postgresDir().resolve("data").resolve("postmaster.pid"));
    }

    /** Runs SQL as the PostgreSQL superuser over the Unix socket; returns rows as column maps. */
    public List<Map<String, String>> queryAsSuperuser(String sql) {
        return parseTable(psqlAsSuperuser(settings.database(), sql));
    }

    /** A plain-SQL {@code pg_dump} of the database, as an operator's backup would hold it. */
    public String dumpDatabase() {
        return Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.postgres("pg_dump").toString(), "-h",
                settings.postgresDir().toString(), "-p", Integer.toString(settings.ports().postgres()), "-U", "postgres", "-d",
                settings.database())), Map.of(), null, COMMAND_TIMEOUT).output();
    }

    private String psqlAsSuperuser(String database, String sql) {
        return Commands.runOrFail(Commands.asPostgresUser(List.of(DebianBinaries.require("psql", "postgresql-client").toString(), "-h",
                settings.postgresDir().toString(), "-p", Integer.toString(settings.ports().postgres()), "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-X", "-A", "-F", "\t", "-P", "footer=off", "-f", "-")), Map.of(), sql, COMMAND_TIMEOUT).output();
    }

    // ---------------------------------------------------------------------------------------------------------- PgBouncer

    /** Starts PgBouncer (again) with the harness's configuration and waits until it answers. */
    public void startPgBouncer() {
        Path dir = settings.pgBouncerDir();
        Path pidFile = dir.resolve("pgbouncer.pid");
        if (readPid(pidFile).map(InfraHarness::isAlive).orElse(false)) {
            return;
        }
        createOwnedByPostgres(dir);
        writeAsPostgresUser(dir.resolve("userlist.txt"), "\"" + settings.user() + "\" \"" + dbPassword() + "\"\n\"" + PGBOUNCER_ADMIN
                + "\" \"" + state.getProperty("pgbouncer-admin-password") + "\"\n");
        writeAsPostgresUser(dir.resolve("pgbouncer.ini"), """
                [databases]
                %1$s = host=127.0.0.1 port=%2$d dbname=%1$s

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %3$d
                unix_socket_dir = %4$s
                pidfile = %4$s/pgbouncer.pid
                auth_type = scram-sha-256
                auth_file = %4$s/userlist.txt
                admin_users = %5$s
                stats_users = %5$s
                pool_mode = transaction
                max_client_conn = 2000
                default_pool_size = 40
                reserve_pool_size = 10
                server_reset_query =
                ignore_startup_parameters = extra_float_digits,options
                """.formatted(settings.database(), settings.ports().postgres(), settings.ports().pgBouncer(), dir, PGBOUNCER_ADMIN)
                + pgBouncerTlsConfig(dir));
        Commands.spawn(Commands.asPostgresUser(List.of(DebianBinaries.require("pgbouncer", "pgbouncer").toString(),
                dir.resolve("pgbouncer.ini").toString())), dir.resolve("pgbouncer.log"));
        await("PgBouncer on port " + settings.ports().pgBouncer(), () -> pgBouncerAnswers());
    }

    /** Clients must speak TLS to PgBouncer (a plain one is refused at startup); its connections to PostgreSQL stay plain. */
    private String pgBouncerTlsConfig(Path dir) {
        if (!settings.tls()) {
            return "";
        }
        writeAsPostgresUser(dir.resolve("server.crt"), read(tlsCertificates().certificate()));
        writeAsPostgresUser(dir.resolve("server.key"), read(tlsCertificates().key()));
        writeAsPostgresUser(dir.resolve("ca.crt"), read(tlsCertificates().authority()));
        return """
                client_tls_sslmode = require
                client_tls_cert_file = %1$s/server.crt
                client_tls_key_file = %1$s/server.key
                client_tls_ca_file = %1$s/ca.crt
                """.formatted(dir);
    }

    /** Stops PgBouncer and waits until it is gone; clients see their connections drop. */
    public void stopPgBouncer() {
        stopByPidFile(settings.pgBouncerDir().resolve("pgbouncer.pid"));
    }

    /** A {@code SHOW …} command on PgBouncer's admin console, e.g. {@code SHOW POOLS}; rows as column maps. */
    public List<Map<String, String>> pgBouncerShow(String what) {
        Commands.Result result = pgBouncerAdmin("SHOW " + what);
        if (!result.ok()) {
            throw new IllegalStateException("SHOW " + what + " failed: " + result.output());
        }
        return parseTable(result.output());
    }

    private boolean pgBouncerAnswers() {
        return pgBouncerAdmin("SHOW VERSION").ok();
    }

    private Commands.Result pgBouncerAdmin(String command) {
        return Commands.run(List.of(DebianBinaries.require("psql", "postgresql-client").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(settings.ports().pgBouncer()), "-U", PGBOUNCER_ADMIN, "-d", "pgbouncer", "-X", "-A", "-F", "\t", "-P",
                "footer=off", "-c", command), Map.of("PGPASSWORD", state.getProperty("pgbouncer-admin-password"), "PGCONNECT_TIMEOUT", "3",
                "PGSSLMODE", settings.tls() ? "require" : "disable"), null, Duration.ofSeconds(10));
    }

    // -------------------------------------------------------------------------------------------------- Redis & Sentinel

    /** Starts the Redis server on {@code port} (again); after a failover Sentinel turns a returning old master into a replica. */
    public void startRedis(int port) {
        Path dir = settings.redisDir(port);
        Path pidFile = dir.resolve("redis.pid");
        if (readPid(pidFile).map(InfraHarness::isAlive).orElse(false)) {
            return;
        }
        Path conf = dir.resolve("redis.conf");
        if (!Files.exists(conf)) {
            int master = settings.ports().redis().get(0);
            StringBuilder text = new StringBuilder();
            text.append("bind 127.0.0.1\n").append(redisListenConfig(port)).append("dir ").append(dir).append("\npidfile ").append(pidFile)
                    .append("\ndaemonize no\nprotected-mode no\nlogfile \"\"\nreplica-announce-ip 127.0.0.1\n");
            // without persistence a restarted master could be promoted empty; the local stack keeps its data
            text.append(settings.durable() ? "save 300 1\nappendonly yes\n" : "save \"\"\nappendonly no\n");
            if (port != master) {
                text.append("replicaof 127.0.0.1 ").append(master).append('\n');
            }
            writeFile(dir, conf, text.toString());
        }
        Commands.spawn(List.of(DebianBinaries.require("redis-server", "redis-server").toString(), conf.toString()),
                dir.resolve("redis.log"));
        await("Redis on port " + port, () -> "PONG".equals(redisCli(port, "PING")));
    }

    private void startSentinel(int port) {
        Path dir = settings.sentinelDir(port);
        Path pidFile = dir.resolve("sentinel.pid");
        if (readPid(pidFile).map(InfraHarness::isAlive).orElse(false)) {
            return;
        }
        // Sentinel rewrites its own file at runtime (known replicas, peers, current master): each gets a writable copy,
        // written once so a restart resumes from what it learned
        Path conf = dir.resolve("sentinel.conf");
        if (!Files.exists(conf)) {
            writeFile(dir, conf, "bind 127.0.0.1\n" + redisListenConfig(port) + """
                    dir %s
                    pidfile %s
                    daemonize no
                    protected-mode no
                    logfile ""
                    sentinel announce-ip 127.0.0.1
                    sentinel monitor %s 127.0.0.1 %d 2
                    sentinel down-after-milliseconds %3$s %d
                    sentinel failover-timeout %3$s %d
                    sentinel parallel-syncs %3$s 1
                    """.formatted(dir, pidFile, settings.masterName(), settings.ports().redis().get(0),
                    settings.sentinelDownAfterMillis(), settings.sentinelFailoverTimeoutMillis()));
        }
        Commands.spawn(List.of(DebianBinaries.require("redis-sentinel", "redis-sentinel").toString(), conf.toString()),
                dir.resolve("sentinel.log"));
        await("Sentinel on port " + port, () -> "PONG".equals(redisCli(port, "PING")));
    }

    /**
     * The listening lines of a Redis server or Sentinel. With TLS the plain port is off ({@code port 0}) and the given port
     * speaks TLS only; {@code tls-replication} makes replicas and Sentinels use TLS to reach each other too, presenting the
     * same certificate (clients are not asked for one).
     */
    private String redisListenConfig(int port) {
        if (!settings.tls()) {
            return "port " + port + "\n";
        }
        TlsCertificates tls = tlsCertificates();
        return """
                port 0
                tls-port %d
                tls-cert-file %s
                tls-key-file %s
                tls-ca-cert-file %s
                tls-auth-clients no
                tls-replication yes
                """.formatted(port, tls.certificate(), tls.key(), tls.authority());
    }

    /** Ready means: every Sentinel sees the master, both replicas and enough peers to authorise a failover. */
    public void awaitSentinels() {
        await("Sentinels to agree on master " + settings.masterName(), () -> {
            for (int port : settings.ports().sentinels()) {
                if (!redisCli(port, "SENTINEL", "CKQUORUM", settings.masterName()).startsWith("OK 3")) {
                    return false;
                }
                String replicas = redisCli(port, "SENTINEL", "REPLICAS", settings.masterName());
                if (replicas.split("master-link-status\nok", -1).length - 1 < 2) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The master's address as the first Sentinel that answers reports it, e.g. {@code 127.0.0.1:16379}. */
    public String redisMaster() {
        for (int port : settings.ports().sentinels()) {
            String answer = redisCli(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", settings.masterName());
            String[] lines = answer.strip().split("\n");
            if (lines.length == 2) {
                return lines[0].strip() + ":" + lines[1].strip();
            }
        }
        throw new IllegalStateException("no Sentinel knows master " + settings.masterName());
    }

    /** {@code kill -9} of the current Redis master; returns its port so a test can start it again. */
    public int killRedisMaster() {
        int port = Integer.parseInt(redisMaster().substring(redisMaster().lastIndexOf(':') + 1));
        long pid = readPid(settings.redisDir(port).resolve("redis.pid"))
                .orElseThrow(() -> new IllegalStateException("no pid file for Redis on port " + port));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitExit(pid);
        return port;
    }

    /** Runs a Redis command with redis-cli against a server or Sentinel of this harness. */
    public String redisCli(int port, String... command) {
        List<String> line = new ArrayList<>(List.of(DebianBinaries.require("redis-cli", "redis-tools").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        if (settings.tls()) {
            line.addAll(List.of("--tls", "--cacert", tlsCertificates().authority().toString()));
        }
        line.addAll(List.of(command));
        Commands.Result result = Commands.run(line, Duration.ofSeconds(10));
        return result.ok() ? result.output().strip() : "";
    }

    // ------------------------------------------------------------------------------------------------------------ helpers

    static Properties loadOrCreateState(InfraSettings settings) {
        Path stateFile = settings.directory().resolve(STATE_FILE);
        if (Files.exists(stateFile)) {
            Properties existing = readProperties(stateFile);
            if (!InfraPorts.load(existing).equals(settings.ports())) {
                throw new IllegalStateException(settings.directory() + " was created with other ports; stop it and remove it first");
            }
            if (existing.getProperty(BACKUP_PASSWORD_KEY) == null) {
                // state files written before the backup role existed
                existing.setProperty(BACKUP_PASSWORD_KEY, randomSecret());
                writeState(stateFile, existing);
            }
            return existing;
        }
        Properties state = new Properties();
        settings.ports().store(state);
        state.setProperty("database", settings.database());
        state.setProperty("user", settings.user());
        state.setProperty("master-name", settings.masterName());
        state.setProperty("down-after-ms", Integer.toString(settings.sentinelDownAfterMillis()));
        state.setProperty("failover-timeout-ms", Integer.toString(settings.sentinelFailoverTimeoutMillis()));
        state.setProperty("durable", Boolean.toString(settings.durable()));
        state.setProperty("tls", Boolean.toString(settings.tls()));
        state.setProperty("db-password", randomSecret());
        state.setProperty("pgbouncer-admin-password", randomSecret());
        state.setProperty(BACKUP_PASSWORD_KEY, randomSecret());
        try {
            Files.createDirectories(settings.directory());
            // other users must traverse to the PostgreSQL folder; the secrets themselves stay private
            Files.setPosixFilePermissions(settings.directory(), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settings.directory(), e);
        }
        writeState(stateFile, state);
        return state;
    }

    /** Writes the state file through a private temporary file, so neither a reader nor a crash sees half of it. */
    private static void writeState(Path stateFile, Properties state) {
        Path temporary = stateFile.resolveSibling(STATE_FILE + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                state.store(out, "JunosCommander infrastructure harness: ports and generated secrets");
            }
            Files.move(temporary, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stateFile, e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Properties readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }

    private static void writeOwner(Path directory) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write owner of " + directory, e);
        }
    }

    /** Stops and deletes test harnesses whose owning JVM is gone (a {@code kill -9} of a test run leaves them behind). */
    static void sweepAbandoned(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Path owner = dir.resolve(OWNER_FILE);
                if (!Files.exists(owner)) {
                    continue;
                }
                long pid = Long.parseLong(Files.readString(owner).strip());
                if (!isAlive(pid)) {
                    stopAndDelete(dir);
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("infra harness: could not sweep " + root + ": " + e.getMessage());
        }
    }

    private static void stopAndDelete(Path directory) {
        try {
            attach(directory).ifPresent(InfraHarness::close);
        } catch (RuntimeException e) {
            System.err.println("infra harness: could not stop " + directory + ": " + e.getMessage());
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("infra harness: could not delete " + directory + ": " + e.getMessage());
        }
    }

    private static void createOwnedByPostgres(Path dir) {
        Commands.directoryForPostgres(dir);
    }

    private static void writeAsPostgresUser(Path file, String content) {
        Commands.runOrFail(Commands.asPostgresUser(List.of("sh", "-c", "umask 077 && cat > \"$0\"", file.toString())), Map.of(), content,
                COMMAND_TIMEOUT);
    }

    private static void appendAsPostgresUser(Path file, String content) {
        Commands.runOrFail(Commands.asPostgresUser(List.of("sh", "-c", "cat >> \"$0\"", file.toString())), Map.of(), content,
                COMMAND_TIMEOUT);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void writeFile(Path dir, Path file, String content) {
        try {
            Files.createDirectories(dir);
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
            return first.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void stopByPidFile(Path pidFile) {
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroy);
        awaitExit(pid.get());
    }

    /** Waits for a process to exit; after ten seconds it is killed. */
    private static void awaitExit(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                deadline = Long.MAX_VALUE;
            }
            sleep(50);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + READY_TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
