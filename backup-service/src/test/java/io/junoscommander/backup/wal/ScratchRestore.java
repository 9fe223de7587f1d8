package io.junoscommander.backup.wal;

import io.junoscommander.backup.postgres.WalSource;
import io.junoscommander.infra.Commands;
import io.junoscommander.infra.InfraHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base backup taken with pg_basebackup and a restore of it plus archived WAL (through {@link WalSource}) into a scratch
 * PostgreSQL on a free port, run as the postgres user: what the restore engineer's code does, kept minimal here so the WAL
 * archive is tested on its own.
 */
final class ScratchRestore implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern START_FILE = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)");

    private final Path root;
    private final Path data;
    private final int port;

    private ScratchRestore(Path root, Path data, int port) {
        this.root = root;
        this.data = data;
        this.port = port;
    }

    /** A plain base backup as the backup role, into {@code root/base}; returns the first WAL segment it needs. */
    static String baseBackup(InfraHarness harness, Path root) throws IOException {
        Path base = root.resolve("base");
        Commands.directoryForPostgres(root);
        Commands.directoryForPostgres(base);
        Commands.runOrFail(Commands.asPostgresUser(List.of(bin("pg_basebackup"), "-h", "127.0.0.1", "-p",
                Integer.toString(harness.postgresPort()), "-U", InfraHarness.BACKUP_USER, "-D", base.toString(), "-Fp", "-X", "stream",
                "-c", "fast", "--no-sync")), Map.of("PGPASSWORD", harness.backupDbPassword()), null, TIMEOUT);
        Matcher start = START_FILE.matcher(Files.readString(base.resolve("backup_label")));
        if (!start.find()) {
            throw new IllegalStateException("backup_label names no start segment");
        }
        return start.group(1);
    }

    /** Stages the archived WAL and starts the base backup under {@code root}, recovering to {@code targetTime} or to the end. */
    static ScratchRestore restore(Path root, WalSource wal, String firstSegment, String targetTime) throws IOException {
        Path data = root.resolve("base");
        Path staged = root.resolve("wal");
        int segments = wal.stage(staged, firstSegment);
        if (segments == 0) {
            throw new IllegalStateException("no WAL staged");
        }
        List<String> settings = new ArrayList<>(List.of("restore_command = 'cp " + staged + "/%f %p'",
                "recovery_target_action = 'promote'", "synchronous_standby_names = ''"));
        if (targetTime != null) {
            settings.add("recovery_target_time = '" + targetTime + "'");
        }
        Files.writeString(data.resolve("postgresql.auto.conf"), String.join("\n", settings) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(data.resolve("recovery.signal"), "");
        Commands.directoryForPostgres(root);
        Commands.runOrFail(List.of("chmod", "700", data.toString()), Map.of(), null, TIMEOUT);
        int port = freePort();
        Commands.runOrFail(Commands.asPostgresUser(List.of(bin("pg_ctl"), "-D", data.toString(), "-l",
                root.resolve("restore.log").toString(), "-w", "-t", "120", "-o",
                "-p " + port + " -k " + data + " -c listen_addresses='' -c port=" + port, "start")), Map.of(), null, TIMEOUT);
        ScratchRestore restored = new ScratchRestore(root, data, port);
        restored.awaitPromoted();
        return restored;
    }

    /** Runs {@code sql} as the superuser in {@code database}; one line per row, columns separated by '|'. */
    List<String> query(String database, String sql) {
        return Commands.runOrFail(Commands.asPostgresUser(List.of(bin("psql"), "-h", data.toString(), "-p", Integer.toString(port), "-U",
                "postgres", "-d", database, "-X", "-A", "-t", "-c", sql)), Map.of(), null, TIMEOUT).output().lines().toList();
    }

    String log() throws IOException {
        return Files.readString(root.resolve("restore.log"));
    }

    private void awaitPromoted() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!query("postgres", "SELECT pg_is_in_recovery()").contains("f")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("restored server still in recovery");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        Commands.run(Commands.asPostgresUser(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop")), TIMEOUT);
        Commands.run(List.of("rm", "-rf", root.toString()), TIMEOUT);
    }

    static String bin(String tool) {
        return InfraHarness.postgresBinDir().resolve(tool).toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
