package io.junoscommander.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the harness's external commands: short ones to completion, servers detached in their own session. Public so tests
 * that drive PostgreSQL tools themselves (a scratch instance restored from a backup, {@code pg_ctl}) run them the same way:
 * PostgreSQL refuses to run as root, so {@link #asPostgresUser} and {@link #directoryForPostgres} make a command and a folder
 * fit for the {@code postgres} user when the tests run as root.
 */
public final class Commands {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /**
     * Commands run from "/": as the postgres user, a checkout under a root-only directory (mktemp -d) is not a working
     * directory psql can enter, and its complaint would land in the output that is parsed.
     */
    private static final File NEUTRAL_DIRECTORY = new File("/");

    private Commands() {
    }

    /** The output of a finished command: its exit code and standard output and error, interleaved. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Whether this JVM runs as root (then PostgreSQL's commands must go through {@link #asPostgresUser}). */
    public static boolean runningAsRoot() {
        return ROOT;
    }

    /**
     * PostgreSQL and PgBouncer refuse to run as root; as root we become the {@code postgres} user the Debian package creates.
     */
    public static List<String> asPostgresUser(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add(DebianBinaries.require("runuser", "util-linux").toString());
        wrapped.add("-u");
        wrapped.add("postgres");
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Runs {@code command} to completion from "/", with {@code environment} added to this JVM's and {@code input} (or nothing)
     * on its standard input; killed and reported after {@code timeout}.
     */
    public static Result run(List<String> command, Map<String, String> environment, String input, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("jc-infra-cmd", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(NEUTRAL_DIRECTORY).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process process = builder.start();
            if (input != null) {
                try (var stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    public static Result run(List<String> command, Duration timeout) {
        return run(command, Map.of(), null, timeout);
    }

    /** Like {@link #run}, but a non-zero exit code throws with the command's output in the message. */
    public static Result runOrFail(List<String> command, Map<String, String> environment, String input, Duration timeout) {
        Result result = run(command, environment, input, timeout);
        if (!result.ok()) {
            throw new IllegalStateException(command.get(0) + " failed (exit " + result.exitCode() + "): " + result.output().strip());
        }
        return result;
    }

    /**
     * Creates {@code dir} (and its parents) with mode 700 and, when running as root, hands it to the {@code postgres} user, so
     * {@code initdb}, {@code pg_ctl} or {@code pg_basebackup} run through {@link #asPostgresUser} can write there. Its
     * parents must be traversable by that user (the harness keeps its folders under {@code /tmp/jc-infra}).
     */
    public static void directoryForPostgres(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        if (ROOT) {
            runOrFail(List.of("chown", "-R", "postgres:postgres", dir.toString()), Map.of(), null, Duration.ofSeconds(60));
        }
    }

    /**
     * Starts a server detached in a session of its own, so it outlives the JVM that started it (the local stack) and a
     * terminal's Ctrl-C does not reach it; its output goes to a log file, never to a pipe that could fill up.
     */
    static void spawn(List<String> command, Path log) {
        List<String> detached = new ArrayList<>();
        detached.add(DebianBinaries.require("setsid", "util-linux").toString());
        detached.addAll(command);
        try {
            new ProcessBuilder(detached).directory(NEUTRAL_DIRECTORY).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }
}
