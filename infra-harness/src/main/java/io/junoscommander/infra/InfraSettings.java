package io.junoscommander.infra;

import java.nio.file.Path;

/**
 * How one harness is laid out: where it keeps its files, its ports, names, and how fast Sentinel gives up on a master.
 *
 * @param directory where the harness keeps data, configuration, logs and pid files (PostgreSQL's user must reach it)
 * @param durable whether PostgreSQL syncs to disk and Redis persists; off in tests for speed, on in the local stack
 * @param tls whether clients must speak TLS: PgBouncer requires it of its clients, Redis and the Sentinels listen on TLS
 *     ports only, PostgreSQL offers it (see {@link InfraHarness#serviceEnvironment()})
 */
public record InfraSettings(Path directory, InfraPorts ports, String database, String user, String masterName,
        int sentinelDownAfterMillis, int sentinelFailoverTimeoutMillis, boolean durable, boolean tls) {

    /** Under the system temp folder: a clean clone may sit in a folder PostgreSQL's user cannot traverse. */
    public static final Path TEST_ROOT = Path.of(System.getProperty("java.io.tmpdir"), "jc-infra");

    public static InfraSettings forTests(String name) {
        return new InfraSettings(TEST_ROOT.resolve(name + "-" + ProcessHandle.current().pid()), InfraPorts.free(), "junoscommander",
                "junoscommander", "jcmaster", 1000, 5000, false, false);
    }

    /** The same harness with TLS on every client connection (a harness of its own: the shared one stays plain). */
    public InfraSettings withTls() {
        return new InfraSettings(directory, ports, database, user, masterName, sentinelDownAfterMillis, sentinelFailoverTimeoutMillis,
                durable, true);
    }

    public static InfraSettings forLocalStack(Path directory, InfraPorts ports) {
        return new InfraSettings(directory, ports, "junoscommander", "junoscommander", "jcmaster", 3000, 10000, true, false);
    }

    /** The CA and server certificate of a TLS harness ({@link #tls()}); clients trust {@code authority()}. */
    public TlsCertificates tlsCertificates() {
        if (!tls) {
            throw new IllegalStateException("this harness runs without TLS");
        }
        Path dir = tlsDir().toAbsolutePath();
        return new TlsCertificates(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    Path postgresDir() {
        return directory.resolve("postgres");
    }

    Path pgBouncerDir() {
        return directory.resolve("pgbouncer");
    }

    Path tlsDir() {
        return directory.resolve("tls");
    }

    Path redisDir(int port) {
        return directory.resolve("redis-" + port);
    }

    Path sentinelDir(int port) {
        return directory.resolve("sentinel-" + port);
    }
}
