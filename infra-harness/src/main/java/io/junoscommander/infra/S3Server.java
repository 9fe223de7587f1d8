package io.junoscommander.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests: {@code s3rver} from npm, run by Node on a free loopback port with a fresh data
 * directory. Path-style addressing ({@code http://127.0.0.1:PORT/bucket/key}); unsigned requests are accepted, and SigV4-signed
 * ones with {@link #accessKeyId()}/{@link #secretAccessKey()} in {@link #region()} (AWS SDK v2: {@code forcePathStyle(true)}).
 * Mind that s3rver 3.7.1 checks only the access key id of a SigV4 request, not the signature: a wrong secret passes here.
 *
 * <p>The package is installed once per machine into {@code /var/tmp/jc-npm/s3rver-3.7.1} (system property
 * {@code jc.npm.cache} chooses another root). The server dies with the JVM: a shutdown hook stops it, and when the JVM is killed
 * outright the server sees its standard input close and exits by itself.
 */
public final class S3Server implements AutoCloseable {

    public static final String VERSION = "3.7.1";
    private static final Path CACHE_ROOT = Path.of(System.getProperty("jc.npm.cache", "/var/tmp/jc-npm"));
    private static final Path ROOT = InfraSettings.TEST_ROOT;
    private static final String OWNER_FILE = "owner.pid";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("S3rver listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Preloaded into Node: exit when the JVM's end of standard input closes, i.e. when the JVM is gone, however it died. */
    private static final String WATCHDOG = """
            process.stdin.on('end', () => process.exit(0));
            process.stdin.on('error', () => process.exit(0));
            process.stdin.resume();
            """;

    private static S3Server shared;

    private final Process process;
    private final Path directory;
    private final int port;
    private final Thread shutdownHook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private S3Server(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "s3rver-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server of its own with these buckets; the caller closes it. */
    public static S3Server start(String... buckets) {
        Path script = install();
        sweepAbandoned();
        Path directory = ROOT.resolve("s3rver-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        Path log = directory.resolve("s3rver.log");
        Process process;
        try {
            deleteTree(directory);
            Files.createDirectories(directory.resolve("data"));
            Files.writeString(directory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            Files.writeString(directory.resolve("watchdog.js"), WATCHDOG);
            // port 0: the kernel picks a free port at bind time, no race with other tests; s3rver prints it even when silent
            ProcessBuilder builder = new ProcessBuilder(node().toString(), "--require", directory.resolve("watchdog.js").toString(),
                    script.toString(), "--directory", directory.resolve("data").toString(), "--address", "127.0.0.1", "--port", "0",
                    "--silent").directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // s3rver 3.7.1 makes ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 refuses without the
            // legacy provider: every listing longer than one page answered 500
            builder.environment().put("NODE_OPTIONS", "--openssl-legacy-provider");
            process = builder.start();
        } catch (IOException e) {
            deleteTree(directory);
            throw new UncheckedIOException("cannot start s3rver", e);
        }
        S3Server server;
        try {
            server = new S3Server(process, directory, awaitPort(process, log));
            server.awaitAnswer();
        } catch (RuntimeException e) {
            process.destroyForcibly();
            deleteTree(directory);
            throw e;
        }
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
        return server;
    }

    /** The one server of a test JVM, started on first use and stopped when the JVM exits; tests use buckets of their own. */
    public static synchronized S3Server shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
        }
        return shared;
    }

    /** E.g. {@code http://127.0.0.1:40123}; buckets are addressed by path. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String region() {
        return "us-east-1";
    }

    /** s3rver's fixed credentials. */
    public String accessKeyId() {
        return "S3RVER";
    }

    public String secretAccessKey() {
        return "S3RVER";
    }

    /** The running server's process id (tests check that {@link #close()} leaves none behind). */
    public long pid() {
        return process.pid();
    }

    /** The Node process, for tests of the harness itself. */
    Process process() {
        return process;
    }

    /** Where the server keeps its data and log; deleted by {@link #close()}. */
    Path directory() {
        return directory;
    }

    /** Creates a bucket (S3 names: 3 to 63 lower-case letters, digits, dots and hyphens); an existing one is an error. */
    public void createBucket(String name) {
        HttpResponse<String> response = send(request("/" + name).PUT(HttpRequest.BodyPublishers.noBody()).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("s3rver refused bucket " + name + " (HTTP " + response.statusCode() + "): " + response.body());
        }
    }

    /** Stops the server, waits until its process is gone and deletes everything it stored. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: nothing left to remove
        }
    }

    private synchronized void stop() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(directory);
    }

    // ------------------------------------------------------------------------------------------------------------ startup

    /** Installs s3rver once per machine: into a temporary folder first, renamed when complete, so a killed install is redone. */
    static synchronized Path install() {
        Path target = CACHE_ROOT.resolve("s3rver-" + VERSION);
        Path script = scriptIn(target);
        if (Files.isRegularFile(script)) {
            return script;
        }
        Path npm = findOnPath("npm").orElseThrow(() -> missingNode("npm"));
        Path temporary = CACHE_ROOT.resolve("s3rver-" + VERSION + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(CACHE_ROOT);
            Commands.runOrFail(List.of(npm.toString(), "install", "--prefix", temporary.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", "s3rver@" + VERSION), Map.of(), null, INSTALL_TIMEOUT);
            if (!Files.isRegularFile(scriptIn(temporary))) {
                throw new IllegalStateException("npm installed s3rver@" + VERSION + " without " + scriptIn(temporary));
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another JVM finished first: its complete copy wins
                if (!Files.isRegularFile(script)) {
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install s3rver into " + target, e);
        } finally {
            deleteTree(temporary);
        }
        return script;
    }

    private static Path scriptIn(Path prefix) {
        return prefix.resolve("node_modules").resolve("s3rver").resolve("bin").resolve("s3rver.js");
    }

    private static Path node() {
        return findOnPath("node").or(() -> findOnPath("nodejs")).orElseThrow(() -> missingNode("node"));
    }

    private static DebianBinaries.MissingBinaryException missingNode(String name) {
        return new DebianBinaries.MissingBinaryException(name + " not found: the S3 test server (s3rver from npm) needs Node.js and npm;"
                + " install the Debian packages 'nodejs' and 'npm' (apt-get install nodejs npm)");
    }

    private static Optional<Path> findOnPath(String name) {
        try {
            return Optional.of(DebianBinaries.require(name, name));
        } catch (DebianBinaries.MissingBinaryException e) {
            return Optional.empty();
        }
    }

    private static int awaitPort(Process process, Path log) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = readQuietly(log);
            Matcher matcher = LISTENING.matcher(text);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("s3rver exited (code " + process.exitValue() + "): " + text.strip());
            }
            sleep(50);
        }
        throw new IllegalStateException("s3rver did not report its port within " + READY_TIMEOUT.toSeconds() + " s: " + readQuietly(log));
    }

    private void awaitAnswer() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (send(request("/").GET().build()).statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(50);
        }
        throw new IllegalStateException("s3rver on " + endpoint() + " does not answer", last);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(endpoint() + path)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // --------------------------------------------------------------------------------------------------------- cleaning up

    /** Deletes what servers of JVMs that died left behind (their Node processes exited when the JVM's pipe closed). */
    private static void sweepAbandoned() {
        if (!Files.isDirectory(ROOT)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("s3rver-")).toList()) {
                String owner = readQuietly(dir.resolve(OWNER_FILE)).strip();
                if (!owner.isEmpty() && !ProcessHandle.of(Long.parseLong(owner)).map(ProcessHandle::isAlive).orElse(false)) {
                    deleteTree(dir);
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("s3rver: could not sweep " + ROOT + ": " + e.getMessage());
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
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
            System.err.println("s3rver: could not delete " + directory + ": " + e.getMessage());
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
}
