package io.junoscommander.infra.testing;

import io.junoscommander.infra.InfraHarness;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged service ({@code <module>/target/quarkus-app/quarkus-run.jar}) run as a process of its own, the way an operator
 * runs it: configured only by environment variables, its API on one port and health and metrics on its management port.
 * {@link Builder#start()} returns once {@code /health/ready} answers 200 ({@link Builder#launch()} at once, for starting several
 * together); {@link #stop()} sends SIGTERM and waits, like a pod's termination. Each run writes its console to a log file the
 * failure messages name. Tests, the benchmarks under {@code bench/} and the deployment checks all start services this way.
 */
public final class PackagedService implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final String name;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Duration readyTimeout;

    private PackagedService(String name, Process process, int port, int managementPort, Path log, Duration readyTimeout) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.readyTimeout = readyTimeout;
    }

    /** A service of the module folder {@code module} (e.g. {@code device-service}), a sibling of the test's module. */
    public static Builder of(String module) {
        return new Builder(module);
    }

    /**
     * What every packaged service needs in a test: the shared harness's PostgreSQL, PgBouncer and Sentinels, the test key
     * pair of the internal token, loopback only, console logs, and no shutdown delay.
     */
    public static Map<String, String> testEnvironment() {
        return testEnvironment(SharedInfra.harness());
    }

    /** {@link #testEnvironment()} with another harness than the shared one (e.g. one that requires TLS). */
    public static Map<String, String> testEnvironment(InfraHarness harness) {
        Map<String, String> env = new LinkedHashMap<>(harness.serviceEnvironment());
        env.putAll(InternalTokens.configuration());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("MANAGEMENT_HOST", "127.0.0.1");
        env.put("LOG_FORMAT", "console");
        env.put("SHUTDOWN_DELAY", "0s");
        return env;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    /** The public API's base address, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface's base address (health, metrics). */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM and return at once, as Kubernetes ends a pod; {@link #awaitExit} or {@link GracefulShutdown} watch the rest. */
    public void terminate() {
        process.destroy();
    }

    /** Whether the process ended within {@code timeout}. */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code of an ended process. */
    public int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM, then waits for the graceful shutdown; SIGKILL only when it does not end in time. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** SIGKILL: no shutdown hook runs, as when a node dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    /** A loopback port free at the time of the call. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HTTP status of a GET, or -1 when nothing answers. */
    public static int status(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(3000);
            int code = connection.getResponseCode();
            connection.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    /** How to run one service; ports are chosen free unless given (a restarted replica keeps its ports). */
    public static final class Builder {

        private final String module;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String name;
        private int port;
        private int managementPort;
        private String maxHeap = "256m";
        private Duration readyTimeout = Duration.ofSeconds(90);
        private Path logDirectory = Path.of(System.getProperty("user.dir"), "target", "service-logs");
        private final List<String> jvmOptions = new ArrayList<>();
        private Path jar;

        private Builder(String module) {
            this.module = module;
            this.name = module;
        }

        /** The process's name in its log file and {@code INSTANCE_ID} (default: the module's name). */
        public Builder name(String processName) {
            this.name = processName;
            return this;
        }

        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder environment(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        public Builder port(int httpPort) {
            this.port = httpPort;
            return this;
        }

        public Builder managementPort(int httpPort) {
            this.managementPort = httpPort;
            return this;
        }

        public Builder maxHeap(String size) {
            this.maxHeap = size;
            return this;
        }

        /** Extra JVM options before {@code -jar}, e.g. the flags the images use. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Another build of the module's service (say main's, for a before/after) instead of this checkout's. */
        public Builder jar(Path packaged) {
            this.jar = packaged;
            return this;
        }

        public Builder logDirectory(Path directory) {
            this.logDirectory = directory;
            return this;
        }

        /** Starts the process and waits for readiness; a process that exits or stays unready fails with its log's path. */
        public PackagedService start() {
            PackagedService service = launch();
            service.awaitReady();
            return service;
        }

        /** Starts the process without waiting: several services then start side by side, each awaited with {@link #awaitReady()}. */
        public PackagedService launch() {
            Path jar = this.jar != null ? this.jar : PackagedService.jar(module);
            int httpPort = port > 0 ? port : freePort();
            int mgmtPort = managementPort > 0 ? managementPort : freePort();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("INSTANCE_ID", name);
            env.putAll(environment);
            env.put("HTTP_PORT", Integer.toString(httpPort));
            env.put("MANAGEMENT_PORT", Integer.toString(mgmtPort));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + maxHeap);
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            Path log;
            Process process;
            try {
                Files.createDirectories(logDirectory);
                log = logDirectory.resolve(name + ".log");
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                builder.environment().putAll(env);
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + jar, e);
            }
            // a test JVM that dies early must not leave services running
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            return new PackagedService(name, process, httpPort, mgmtPort, log, readyTimeout);
        }
    }

    /**
     * The packaged jar of {@code module}: a sibling of the current module's folder (tests), or a child of the current folder
     * (the benchmarks run from the repository's root).
     */
    static Path jar(String module) {
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path root = Files.isDirectory(here.resolve(module)) ? here : here.getParent();
        Path jar = root.resolve(module).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build " + module + " first (./mvnw -B package -DskipTests -pl " + module
                    + " -am); the full build orders it before the modules whose tests run it");
        }
        return jar;
    }

    /** Waits for {@code /health/ready} to answer 200 within the builder's ready timeout. */
    public void awaitReady() {
        awaitReady(readyTimeout);
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited early (code " + process.exitValue() + "); see " + log);
            }
            if (status(managementUrl() + "/health/ready") == 200) {
                return;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s; see " + log);
    }
}
