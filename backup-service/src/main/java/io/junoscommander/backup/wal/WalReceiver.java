package io.junoscommander.backup.wal;

import io.junoscommander.backup.config.BackupConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs {@code pg_receivewal} on the replication slot while this replica holds the receiver lease, so exactly one receiver
 * streams across all replicas: restarted with a growing pause when it dies (its output lines are logged; the password
 * travels in its environment only), stopped when the lease cannot be renewed for half its time (before anyone else may
 * take it over), and stopped, archived and handed back on shutdown.
 */
@ApplicationScoped
public class WalReceiver {

    private static final Logger LOG = Logger.getLogger(WalReceiver.class);
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration STABLE_AFTER = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    /** Where the receiver is, as the API and the health page show it. */
    public enum State { DISABLED, STANDBY, STARTING, RUNNING, RESTARTING, STOPPED }

    private final BackupConfig config;
    private final WalConfig wal;
    private final ReceiverLease lease;
    private final ReplicationServer server;
    private final WalArchiver archiver;
    private final Counter restarts;
    private final ScheduledExecutorService archiving = Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "wal-archiver"));
    private Thread supervisor;
    private volatile boolean stopping;
    private volatile boolean holding;
    private volatile State state = State.DISABLED;
    private volatile Process process;
    private volatile Instant runningSince;
    private volatile String lastError;
    private volatile String lastOutput;
    private volatile long lastPartialUpload = System.nanoTime();

    WalReceiver(BackupConfig config, WalConfig wal, ReceiverLease lease, ReplicationServer server, WalArchiver archiver,
            MeterRegistry meters) {
        this.config = config;
        this.wal = wal;
        this.lease = lease;
        this.server = server;
        this.archiver = archiver;
        this.restarts = Counter.builder("backup.wal.receiver.restarts").description("times this replica restarted a WAL receiver that died")
                .register(meters);
        Gauge.builder("backup.wal.receiver.local", this, receiver -> receiver.runningHere() ? 1 : 0)
                .description("1 while this replica runs the WAL receiver").register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (!wal.enabled()) {
            LOG.info("WAL receiver disabled (BACKUP_WAL_ENABLED=false)");
            return;
        }
        state = State.STANDBY;
        supervisor = daemon(this::supervise, "wal-receiver-supervisor");
        supervisor.start();
        archiving.scheduleWithFixedDelay(this::archivePeriodically, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (supervisor == null) {
            return;
        }
        stopping = true;
        try {
            supervisor.join(STOP_GRACE.toMillis() * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        archiving.shutdownNow();
    }

    public State state() {
        return state;
    }

    public boolean enabled() {
        return wal.enabled();
    }

    /** Whether this replica holds the lease and its receiver process is alive. */
    public boolean runningHere() {
        Process current = process;
        return holding && current != null && current.isAlive();
    }

    public boolean holdsLease() {
        return holding;
    }

    public Optional<Instant> runningSince() {
        return Optional.ofNullable(runningHere() ? runningSince : null);
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public double restarts() {
        return restarts.count();
    }

    public WalArchiver archiver() {
        return archiver;
    }

    private void supervise() {
        long lastRenewal = Long.MIN_VALUE;
        long nextLeaseAttempt = 0;
        long nextStart = 0;
        Duration backoff = FIRST_BACKOFF;
        boolean leaseErrorLogged = false;
        while (!stopping) {
            long now = System.nanoTime();
            if (now - nextLeaseAttempt >= 0) {
                nextLeaseAttempt = now + wal.leaseRenewal().toNanos();
                try {
                    boolean held = lease.acquireOrRenew(wal.slot(), wal.leaseTime());
                    if (held) {
                        lastRenewal = now;
                        if (!holding) {
                            LOG.infof("this replica (%s) now runs the WAL receiver of slot %s", lease.owner(), wal.slot());
                            nextStart = now;
                        }
                    } else if (holding) {
                        LOG.warnf("the WAL receiver lease of slot %s was taken over by another replica", wal.slot());
                    }
                    holding = held;
                    leaseErrorLogged = false;
                } catch (RuntimeException e) {
                    if (!leaseErrorLogged) {
                        LOG.warnf("cannot renew the WAL receiver lease: %s", e.getMessage() == null ? e.getClass().getSimpleName()
                                : e.getMessage());
                        leaseErrorLogged = true;
                    }
                }
            }
            // stop before anyone else may take over: after half the lease time without a renewal
            if (holding && now - lastRenewal > wal.leaseTime().toNanos() / 2) {
                LOG.warnf("WAL receiver lease not renewed for %d ms: stopping the receiver", (now - lastRenewal) / 1_000_000);
                holding = false;
            }
            if (holding) {
                Process current = process;
                if (current != null && !current.isAlive()) {
                    restarts.increment();
                    lastError = "pg_receivewal exited with " + current.exitValue() + (lastOutput == null ? "" : ": " + lastOutput);
                    LOG.warnf("WAL receiver died (%s); restarting in %d ms", lastError, backoff.toMillis());
                    process = null;
                    state = State.RESTARTING;
                    nextStart = now + backoff.toNanos();
                    backoff = min(backoff.multipliedBy(2), wal.maxRestartBackoff());
                } else if (current == null && now - nextStart >= 0) {
                    state = State.STARTING;
                    try {
                        process = launch();
                        runningSince = Instant.now();
                        state = State.RUNNING;
                    } catch (IOException | RuntimeException e) {
                        restarts.increment();
                        lastError = e.getMessage();
                        LOG.warnf("WAL receiver did not start (%s); next try in %d ms", lastError, backoff.toMillis());
                        state = State.RESTARTING;
                        nextStart = now + backoff.toNanos();
                        backoff = min(backoff.multipliedBy(2), wal.maxRestartBackoff());
                    }
                } else if (current != null && Duration.between(runningSince, Instant.now()).compareTo(STABLE_AFTER) > 0) {
                    backoff = FIRST_BACKOFF;
                }
            } else {
                if (process != null) {
                    terminate();
                    archiveNow();
                }
                state = State.STANDBY;
            }
            sleep(TICK);
        }
        boolean held = holding;
        if (process != null) {
            terminate();
        }
        state = State.STOPPED;
        if (held) {
            archiveNow();
            try {
                lease.release(wal.slot());
                LOG.infof("WAL receiver stopped; lease of slot %s handed back", wal.slot());
            } catch (RuntimeException e) {
                LOG.warnf("could not hand back the WAL receiver lease (it expires by itself): %s", e.getMessage());
            }
        }
        holding = false;
    }

    /** Creates the slot when missing, ends a stream a former holder left on it, and starts pg_receivewal. */
    private Process launch() throws IOException {
        Path dir = archiver.directory();
        Files.createDirectories(dir);
        String receivewal = PostgresTools.tool(config, "pg_receivewal");
        String connection = PostgresTools.connectionString(config, wal.applicationName());
        runToEnd(List.of(receivewal, "--create-slot", "--if-not-exists", "--slot=" + wal.slot(), "--no-password", "-d", connection));
        if (server.endOtherStreamOn(wal.slot())) {
            LOG.infof("ended a WAL stream on slot %s that a former receiver left running", wal.slot());
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            // a receiver must not outlive a replica that crashed: it would keep the slot busy
            command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        command.addAll(List.of(receivewal, "-D", dir.toString(), "--slot=" + wal.slot(), "--no-loop", "--no-password",
                "--status-interval=1", "-d", connection));
        if (wal.synchronous()) {
            command.add("--synchronous");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile()));
        PostgresTools.environment(config, builder.environment());
        Process started = builder.start();
        lastOutput = null;
        daemon(() -> relayOutput(started), "wal-receiver-output").start();
        LOG.infof("WAL receiver started on slot %s as %s (%s) into %s", wal.slot(), wal.applicationName(),
                wal.synchronous() ? "synchronous" : "asynchronous", dir);
        return started;
    }

    private void runToEnd(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        PostgresTools.environment(config, builder.environment());
        Process run = builder.start();
        try {
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!run.waitFor(30, TimeUnit.SECONDS)) {
                run.destroyForcibly();
                throw new IOException("pg_receivewal --create-slot timed out");
            }
            if (run.exitValue() != 0) {
                throw new IOException("creating slot " + wal.slot() + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.destroyForcibly();
            throw new IOException("interrupted while creating the slot", e);
        }
    }

    private void relayOutput(Process source) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(source.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lastOutput = line;
                // its lines start with "pg_receivewal:" already; they never hold the password (it is in the environment)
                LOG.info(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** SIGTERM (pg_receivewal flushes and exits), SIGKILL after a grace period. */
    private void terminate() {
        Process current = process;
        process = null;
        if (current == null) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                current.destroyForcibly();
                current.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.destroyForcibly();
        }
        LOG.infof("WAL receiver on slot %s stopped", wal.slot());
    }

    /** The periodic pass while this replica holds the receiver: completed segments at once, the partial one every interval. */
    private void archivePeriodically() {
        if (!holding) {
            return;
        }
        try {
            archiver.archiveCompleted();
            if (System.nanoTime() - lastPartialUpload >= wal.partialUploadInterval().toNanos() && archiver.uploadPartial()) {
                lastPartialUpload = System.nanoTime();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("archiving WAL failed (retried): %s", e.getMessage());
        }
    }

    /** The last pass after the receiver stopped: what it wrote last is in the storage before another replica takes over. */
    private void archiveNow() {
        try {
            archiver.archiveCompleted();
            archiver.uploadPartial();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("archiving WAL after the receiver stopped failed: %s", e.getMessage());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
