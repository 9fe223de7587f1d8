package io.junoscommander.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Files and processes of the harness's servers: configuration written as the {@code postgres} user where PostgreSQL and
 * PgBouncer must read it, pid files, and waiting for a server to answer or a process to exit.
 */
final class HarnessFiles {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private HarnessFiles() {
    }

    static void createOwnedByPostgres(Path dir) {
        Commands.directoryForPostgres(dir);
    }

    /** Private to its owner (umask 077): configuration files may hold passwords and keys. */
    static void writeAsPostgresUser(Path file, String content) {
        Commands.runOrFail(Commands.asPostgresUser(List.of("sh", "-c", "umask 077 && cat > \"$0\"", file.toString())), Map.of(), content,
                COMMAND_TIMEOUT);
    }

    static void appendAsPostgresUser(Path file, String content) {
        Commands.runOrFail(Commands.asPostgresUser(List.of("sh", "-c", "cat >> \"$0\"", file.toString())), Map.of(), content,
                COMMAND_TIMEOUT);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static void write(Path dir, Path file, String content) {
        try {
            Files.createDirectories(dir);
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static void deleteTree(Path directory) {
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

    /** The pid in the first line of a server's pid file, if the file exists and holds one. */
    static Optional<Long> readPid(Path pidFile) {
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

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static boolean runs(Path pidFile) {
        return readPid(pidFile).map(HarnessFiles::isAlive).orElse(false);
    }

    /** SIGTERM to the process of a pid file, then waits until it is gone. */
    static void stopByPidFile(Path pidFile) {
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroy);
        awaitExit(pid.get());
    }

    /** Waits for a process to exit; after ten seconds it is killed. */
    static void awaitExit(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                deadline = Long.MAX_VALUE;
            }
            sleep(50);
        }
    }

    /** Polls {@code condition} until it holds; a server that does not answer within a minute fails the start. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + READY_TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            sleep(100);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
