package io.junoscommander.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * PostgreSQL, PgBouncer in transaction mode, a Redis master with two replicas and three Sentinels, started from Debian
 * binaries on loopback in a directory the harness owns. The tests (through {@code InfraTestResource}) and the local stack
 * (through {@link InfraHarnessMain}) both use this one implementation. Each server has a class of its own
 * ({@link PostgresServer}, {@link PgBouncerServer}, {@link RedisSentinelServers}); this one starts, stops and describes them
 * together and keeps the generated passwords ({@link HarnessState}).
 */
public final class InfraHarness implements AutoCloseable {

    private static final String OWNER_FILE = "owner.pid";
    /** The role a backup service logs in as: replication protocol (base backups, WAL streaming, slots) and read-all for dumps. */
    public static final String BACKUP_USER = "jc_backup";

    private final InfraSettings settings;
    private final HarnessState state;
    private final PostgresServer postgres;
    private final PgBouncerServer pgBouncer;
    private final RedisSentinelServers redis;

    private InfraHarness(InfraSettings settings, HarnessState state) {
        this.settings = settings;
        this.state = state;
        this.postgres = new PostgresServer(settings, state);
        this.pgBouncer = new PgBouncerServer(settings, state);
        this.redis = new RedisSentinelServers(settings);
    }

    /**
     * Starts every component that is not already running. Safe to call again on the same directory: running components
     * are left alone and the generated passwords are kept.
     */
    public static InfraHarness start(InfraSettings settings) {
        InfraHarness harness = new InfraHarness(settings, HarnessState.loadOrCreate(settings));
        if (settings.tls() && !Files.exists(settings.tlsCertificates().certificate())) {
            TlsCertificates.generate(settings.tlsDir());
        }
        harness.postgres.start();
        harness.pgBouncer.start();
        harness.redis.startAll();
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
        Path stateFile = directory.resolve(HarnessState.FILE_NAME);
        if (!Files.exists(stateFile)) {
            return Optional.empty();
        }
        HarnessState state = HarnessState.read(stateFile);
        return Optional.of(new InfraHarness(state.settings(directory), state));
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
        return settings.tlsCertificates();
    }

    public String dbPassword() {
        return state.dbPassword();
    }

    /** The password of {@link #BACKUP_USER}, generated once and kept in the harness's state file. */
    public String backupDbPassword() {
        return state.backupDbPassword();
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

    /**
     * Stops everything this harness started; waits until every process is gone. Redis and Sentinel each take about two
     * seconds to exit on SIGTERM, so all of them are signalled first and awaited together.
     */
    @Override
    public void close() {
        List<Path> pidFiles = new ArrayList<>();
        settings.ports().sentinels().forEach(port -> pidFiles.add(redis.sentinelPidFile(port)));
        settings.ports().redis().forEach(port -> pidFiles.add(redis.redisPidFile(port)));
        pidFiles.add(pgBouncer.pidFile());
        List<Long> signalled = new ArrayList<>();
        for (Path pidFile : pidFiles) {
            HarnessFiles.readPid(pidFile).ifPresent(pid -> {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                signalled.add(pid);
            });
        }
        postgres.stop();
        signalled.forEach(HarnessFiles::awaitExit);
    }

    /** One line per component: name, port, pid and whether it runs. */
    public List<String> status() {
        List<String> lines = new ArrayList<>();
        lines.add(describe("postgresql", settings.ports().postgres(), postgres.pid()));
        lines.add(describe("pgbouncer", settings.ports().pgBouncer(), HarnessFiles.readPid(pgBouncer.pidFile())));
        for (int port : settings.ports().redis()) {
            lines.add(describe("redis", port, HarnessFiles.readPid(redis.redisPidFile(port))));
        }
        for (int port : settings.ports().sentinels()) {
            lines.add(describe("redis-sentinel", port, HarnessFiles.readPid(redis.sentinelPidFile(port))));
        }
        return lines;
    }

    private static String describe(String name, int port, Optional<Long> pid) {
        boolean alive = pid.map(HarnessFiles::isAlive).orElse(false);
        return String.format("%-15s 127.0.0.1:%-6d %s", name, port, alive ? "running (pid " + pid.get() + ")" : "stopped");
    }

    // --------------------------------------------------------------------------------------------------------- PostgreSQL

    /**
     * Starts PostgreSQL unless it runs, and makes sure the backup role and its {@code pg_hba.conf} lines exist. Also the way
     * back after {@link #killPostgres()}: PostgreSQL replays its WAL (crash recovery) before it accepts connections.
     */
    public void startPostgres() {
        postgres.start();
    }

    /** {@code kill -9} of the postmaster, as a crash would do it; returns once it and all its children are gone. */
    public void killPostgres() {
        postgres.kill();
    }

    /**
     * {@code ALTER SYSTEM SET name = 'value'} as the superuser, then {@code pg_reload_conf()}; {@code value == null} means
     * {@code ALTER SYSTEM RESET name}. The setting lands in {@code postgresql.auto.conf} and outlives restarts: reset what a
     * test set (a {@code synchronous_standby_names} left behind makes every later commit wait). Parameters that need a
     * restart take effect at the next {@link #startPostgres()} after a stop.
     */
    public void setPostgresParameter(String name, String value) {
        postgres.setParameter(name, value);
    }

    /** Runs SQL as the PostgreSQL superuser over the Unix socket; returns rows as column maps. */
    public List<Map<String, String>> queryAsSuperuser(String sql) {
        return postgres.queryAsSuperuser(sql);
    }

    /** A plain-SQL {@code pg_dump} of the database, as an operator's backup would hold it. */
    public String dumpDatabase() {
        return postgres.dump();
    }

    // ---------------------------------------------------------------------------------------------------------- PgBouncer

    /** Starts PgBouncer (again) with the harness's configuration and waits until it answers. */
    public void startPgBouncer() {
        pgBouncer.start();
    }

    /** Stops PgBouncer and waits until it is gone; clients see their connections drop. */
    public void stopPgBouncer() {
        pgBouncer.stop();
    }

    /** A {@code SHOW …} command on PgBouncer's admin console, e.g. {@code SHOW POOLS}; rows as column maps. */
    public List<Map<String, String>> pgBouncerShow(String what) {
        return pgBouncer.show(what);
    }

    // -------------------------------------------------------------------------------------------------- Redis & Sentinel

    /** Starts the Redis server on {@code port} (again); after a failover Sentinel turns a returning old master into a replica. */
    public void startRedis(int port) {
        redis.startRedis(port);
    }

    /** Ready means: every Sentinel sees the master, both replicas and enough peers to authorise a failover. */
    public void awaitSentinels() {
        redis.awaitSentinels();
    }

    /** The master's address as the first Sentinel that answers reports it, e.g. {@code 127.0.0.1:16379}. */
    public String redisMaster() {
        return redis.master();
    }

    /** {@code kill -9} of the current Redis master; returns its port so a test can start it again. */
    public int killRedisMaster() {
        return redis.killMaster();
    }

    /** Runs a Redis command with redis-cli against a server or Sentinel of this harness. */
    public String redisCli(int port, String... command) {
        return redis.cli(port, command);
    }

    // ------------------------------------------------------------------------------------------------- test harness folders

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
                if (!HarnessFiles.isAlive(pid)) {
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
        HarnessFiles.deleteTree(directory);
    }
}
