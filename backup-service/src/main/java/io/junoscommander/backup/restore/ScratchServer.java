package io.junoscommander.backup.restore;

import io.junoscommander.backup.postgres.PgTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL server started from a restored (or fresh) data directory on a free port, as the {@code postgres} user when
 * the JVM is root. Its socket, access rules and log live in a private folder of their own (mode 700): local connections
 * are trusted there so the restore can check the data without knowing any password, while TCP keeps the backed-up
 * cluster's own {@code pg_hba.conf} rules. Archiving is off, so a check never writes into a production WAL archive.
 */
public final class ScratchServer {

    private static final Duration START_TIMEOUT = Duration.ofHours(2);
    private static final Duration QUICK = Duration.ofMinutes(2);

    private final PgTools tools;
    private final Path dataDir;
    private final Path runDir;
    private final int port;

    private ScratchServer(PgTools tools, Path dataDir, Path runDir, int port) {
        this.tools = tools;
        this.dataDir = dataDir;
        this.runDir = runDir;
        this.port = port;
    }

    /**
     * Prepares the private folder and starts the server; {@code pg_ctl -w} returns once it accepts connections (during
     * archive recovery: once it is consistent).
     */
    public static ScratchServer start(PgTools tools, Path dataDir, int port) throws IOException {
        Path runDir = runDir(dataDir);
        deleteTree(runDir);
        Files.createDirectories(runDir);
        String hba = "# written by the JunosCommander restore: local sockets (this folder is private) are trusted\n"
                + "local all all trust\n";
        Path original = dataDir.resolve("pg_hba.conf");
        if (Files.isRegularFile(original)) {
            hba += Files.readString(original).lines().filter(line -> !line.strip().startsWith("local")).reduce("", (a, b) -> a + b + "\n");
        }
        Files.writeString(runDir.resolve("pg_hba.conf"), hba);
        tools.ownForServer(runDir);
        ScratchServer server = new ScratchServer(tools, dataDir, runDir, port);
        String options = "-c port=" + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + runDir + " -c hba_file="
                + runDir.resolve("pg_hba.conf") + " -c archive_mode=off -c synchronous_standby_names='' -c primary_conninfo=''"
                + " -c cluster_name=jc-restore-" + port;
        PgTools.Result started = tools.attempt(PgTools.asServerUser(List.of(tools.bin("pg_ctl"), "-D", dataDir.toString(), "-l",
                server.log().toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()), "-o", options, "start")), Map.of(),
                START_TIMEOUT.plusMinutes(1));
        if (!started.ok()) {
            String log = server.logTail();
            server.stop();
            throw new IllegalStateException("the restored server did not start: " + started.tail()
                    + (log.isBlank() ? "" : "\n" + log));
        }
        return server;
    }

    /**
     * The server's private folder: beside the data directory ({@code <data>.run}), or under the temporary folder when that
     * path would make the socket's path longer than the 107 bytes a Unix socket address holds.
     */
    static Path runDir(Path dataDir) {
        Path beside = dataDir.resolveSibling(dataDir.getFileName() + ".run");
        if (beside.toString().length() <= 85) {
            return beside;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "jc-pg-" + Integer.toHexString(dataDir.toString().hashCode()));
    }

    PgTools tools() {
        return tools;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code -h socketDir -p port -U user -d database}: psql arguments reaching this server through its private socket. */
    public List<String> connection(String user, String database) {
        return List.of("-h", runDir.toString(), "-p", Integer.toString(port), "-U", user, "-d", database);
    }

    public List<List<String>> query(String user, String database, String sql) {
        return tools.query(connection(user, database), Map.of(), sql, Duration.ofMinutes(30));
    }

    /** Waits until recovery has ended and the server was promoted; fails with the server's log when it stops instead. */
    public void awaitRecoveryFinished(String user, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!running()) {
                throw new IllegalStateException("the restored server stopped during recovery: " + logTail());
            }
            List<String> command = new ArrayList<>(List.of(tools.bin("psql"), "-X", "-A", "-t", "-c", "SELECT pg_is_in_recovery()"));
            command.addAll(connection(user, "postgres"));
            PgTools.Result answer = tools.attempt(command, Map.of(), QUICK);
            if (answer.ok() && "f".equals(answer.output().strip())) {
                return;
            }
            sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("recovery did not finish within " + timeout.toMinutes() + " min: " + logTail());
    }

    public boolean running() {
        return tools.attempt(PgTools.asServerUser(List.of(tools.bin("pg_ctl"), "-D", dataDir.toString(), "status")), Map.of(), QUICK).ok();
    }

    /** Stops the server (fast shutdown: a checkpoint, then exit) and removes its private folder. */
    public void stop() {
        tools.attempt(PgTools.asServerUser(List.of(tools.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "120",
                "stop")), Map.of(), Duration.ofMinutes(3));
        deleteTree(runDir);
    }

    /** How an operator stops a server that was kept running. */
    public String stopCommand() {
        return (PgTools.runningAsRoot() ? "runuser -u postgres -- " : "") + tools.bin("pg_ctl") + " -D " + dataDir
                + " -m fast stop && rm -rf " + runDir;
    }

    public Path log() {
        return runDir.resolve("server.log");
    }

    public String logTail() {
        try {
            List<String> lines = Files.isRegularFile(log()) ? Files.readAllLines(log()) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /** A TCP port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    public static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the restored server");
        }
    }
}
