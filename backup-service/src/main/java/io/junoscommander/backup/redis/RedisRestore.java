package io.junoscommander.backup.redis;

import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.storage.BackupStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Restores a Redis snapshot into a throwaway {@code redis-server}: on a free loopback port, in a scratch directory, with
 * the RDB as its {@code dbfilename} and persistence off, so a restore check or an operator can read the data back without
 * touching the live cluster. Plain class (no CDI), so a restore endpoint or a drill can use it as it is.
 */
public final class RedisRestore {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private RedisRestore() {
    }

    /** A restored server; {@link #close()} stops it. The scratch directory stays for the caller to delete. */
    public static final class RestoredRedis implements AutoCloseable {
        private final Process process;
        private final int port;

        private RestoredRedis(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        public String host() {
            return "127.0.0.1";
        }

        public int port() {
            return port;
        }

        /** {@code host:port} for a client. */
        public String address() {
            return host() + ":" + port;
        }

        /** Keys in database 0 ({@code DBSIZE}). */
        public long keys() throws IOException {
            String answer = inline(port, "DBSIZE");
            if (!answer.startsWith(":")) {
                throw new IOException("restored Redis answered DBSIZE with " + answer);
            }
            return Long.parseLong(answer.substring(1));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Downloads {@code dump.rdb} of the run at {@code location} from {@code storage} into {@code scratch}, checks it against
     * the SHA-256 the catalog recorded, and starts a server on it.
     */
    public static RestoredRedis fromBackup(BackupStorage storage, String location, String expectedSha256, Path scratch)
            throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path rdb = scratch.resolve(RedisSnapshotHandler.OBJECT_NAME);
        storage.get(location + RedisSnapshotHandler.OBJECT_NAME, rdb);
        String actual = BackupJob.sha256(rdb);
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            throw new IOException("the downloaded " + location + RedisSnapshotHandler.OBJECT_NAME + " has SHA-256 " + actual
                    + ", the catalog recorded " + expectedSha256);
        }
        return start(rdb, scratch);
    }

    /** Starts a server on {@code rdb} in {@code scratch} and returns once it has loaded the data and answers. */
    public static RestoredRedis start(Path rdb, Path scratch) throws IOException, InterruptedException {
        RedisSnapshotHandler.checkMagic(rdb);
        Files.createDirectories(scratch);
        Path dataFile = scratch.resolve(RedisSnapshotHandler.OBJECT_NAME);
        if (!Files.exists(dataFile) || !Files.isSameFile(rdb, dataFile)) {
            Files.copy(rdb, dataFile, StandardCopyOption.REPLACE_EXISTING);
        }
        Path server = RedisBinaries.require("redis-server", "redis-server");
        IOException last = null;
        // a free port can be taken between finding it and binding it: try a few
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Process process = new ProcessBuilder(List.of(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", scratch.toString(), "--dbfilename", RedisSnapshotHandler.OBJECT_NAME, "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--protected-mode", "yes", "--logfile", "")).redirectErrorStream(true)
                    .redirectOutput(scratch.resolve("redis-server.log").toFile()).start();
            try {
                awaitLoaded(process, port, scratch.resolve("redis-server.log"));
                return new RestoredRedis(process, port);
            } catch (IOException e) {
                process.destroyForcibly().waitFor();
                last = e;
            }
        }
        throw last;
    }

    private static void awaitLoaded(Process process, int port, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                throw new IOException("redis-server stopped while loading the snapshot: "
                        + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
            }
            try {
                // PING answers -LOADING while the RDB is read, +PONG once the data is there
                if ("+PONG".equals(inline(port, "PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("redis-server did not load the snapshot within " + START_TIMEOUT);
    }

    /** One inline command to the restored server (no password: it listens on loopback only and lives minutes). */
    static String inline(int port, String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
