package io.junoscommander.backup.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs PostgreSQL's client and server programs (plain class: the service and the operator's restore command share it).
 * Output goes to a file, never a pipe that could fill up; a failure carries the tail of that output, which never holds a
 * password because passwords only travel in the environment.
 */
public final class PgTools {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final int OUTPUT_TAIL_LINES = 15;

    private final Path binDir;

    public PgTools(Path binDir) {
        this.binDir = binDir;
    }

    /** The configured folder, else Debian's newest versioned PostgreSQL folder, else the folder of {@code pg_basebackup} on PATH. */
    public static PgTools locate(Optional<Path> configured) {
        if (configured.isPresent()) {
            return new PgTools(configured.get());
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Optional<Path> newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/pg_basebackup")))
                        .max(Comparator.comparingInt(v -> versionNumber(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return new PgTools(newest.get().resolve("bin"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (!folder.isBlank() && Files.isExecutable(Path.of(folder, "pg_basebackup"))) {
                return new PgTools(Path.of(folder));
            }
        }
        throw new IllegalStateException("PostgreSQL client programs not found: install the Debian package postgresql-15 or set "
                + "BACKUP_PG_BIN_DIR");
    }

    public Path binDir() {
        return binDir;
    }

    public String bin(String program) {
        Path path = binDir.resolve(program);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(program + " not found in " + binDir + " (BACKUP_PG_BIN_DIR)");
        }
        return path.toString();
    }

    /** Whether this JVM runs as root: then PostgreSQL servers must run as the {@code postgres} user. */
    public static boolean runningAsRoot() {
        return ROOT;
    }

    /** PostgreSQL refuses to run as root; as root the command runs as the {@code postgres} user. */
    public static List<String> asServerUser(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Hands {@code dir} (recursively) to the {@code postgres} user when running as root, mode 700 on the top folder. */
    public void ownForServer(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the mode of " + dir, e);
        }
        if (ROOT) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), Map.of(), Duration.ofMinutes(10));
        }
    }

    /** The outcome of a finished program. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last lines of the output, for an error message. */
        public String tail() {
            List<String> lines = output.strip().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size()));
        }
    }

    /** Runs to completion; a non-zero exit throws with the program's name and the tail of its output. */
    public Result run(List<String> command, Map<String, String> environment, Duration timeout) {
        Result result = attempt(command, environment, timeout);
        if (!result.ok()) {
            throw new PgToolException(programName(command) + " failed (exit " + result.exitCode() + "): " + result.tail());
        }
        return result;
    }

    /** Runs to completion and returns whatever happened. */
    public Result attempt(List<String> command, Map<String, String> environment, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("jc-pg", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new PgToolException(programName(command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PgToolException("cannot run " + programName(command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgToolException("interrupted while running " + programName(command));
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

    /**
     * Runs one SQL statement with psql ({@code connection} arguments such as {@code -h host -p port -U user -d db}) and
     * returns its rows, columns split on tabs.
     */
    public List<List<String>> query(List<String> connection, Map<String, String> environment, String sql, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(bin("psql"), "-X", "-A", "-t", "-q", "-F", "\t", "-v", "ON_ERROR_STOP=1"));
        command.addAll(connection);
        command.add("-c");
        command.add(sql);
        return parseRows(run(command, environment, timeout).output());
    }

    static List<List<String>> parseRows(String output) {
        return output.lines().filter(line -> !line.isEmpty()).map(line -> List.of(line.split("\t", -1))).toList();
    }

    private static String programName(List<String> command) {
        int start = command.size() > 4 && "runuser".equals(command.get(0)) ? 4 : 0;
        return Path.of(command.get(start)).getFileName().toString();
    }

    private static int versionNumber(String folder) {
        try {
            return Integer.parseInt(folder);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A PostgreSQL program failed; the message names it and carries the tail of its output. */
    public static final class PgToolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PgToolException(String message) {
            super(message, null, false, false);
        }
    }
}
