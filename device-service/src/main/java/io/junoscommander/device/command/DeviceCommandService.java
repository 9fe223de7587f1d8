package io.junoscommander.device.command;

import io.junoscommander.device.hostkey.HostKeyLearning;
import io.junoscommander.device.ssh.DeviceTarget;
import io.junoscommander.device.ssh.DeviceTargets;
import io.junoscommander.device.ssh.SshConfig;
import io.junoscommander.device.ssh.SshSessions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs commands on one device or many: resolves targets reactively, does the SSH work on a bounded pool of worker
 * threads (one device each), records host keys learned on first use.
 */
@ApplicationScoped
public class DeviceCommandService {

    private final DeviceTargets targets;
    private final CommandRunner runner;
    private final HostKeyLearning hostKeys;
    private final SshConfig config;
    private final ExecutorService workers;

    DeviceCommandService(DeviceTargets targets, CommandRunner runner, HostKeyLearning hostKeys, SshConfig config) {
        this.targets = targets;
        this.runner = runner;
        this.hostKeys = hostKeys;
        this.config = config;
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.maxConcurrentDevices(), runnable -> {
            Thread thread = new Thread(runnable, "ssh-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public Uni<DeviceRunResult> run(UUID deviceId, List<String> commands, Duration timeout) {
        return targets.resolve(deviceId).flatMap(target -> runOn(target, commands, timeout));
    }

    /** Results in completion order, at most {@code concurrency} devices at once. */
    public Multi<DeviceRunResult> runMany(List<UUID> deviceIds, List<String> commands, Duration timeout, int concurrency) {
        // the devices are handed out from a worker, not the event loop that read them: the first fan-out after start makes
        // the worker threads, and under load making a few hundred threads blocked the event loop for seconds (measured)
        return targets.resolve(deviceIds).onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(target -> runOn(target, commands, timeout)).merge(concurrency);
    }

    /** Blocking work on a worker; the result comes back on a Mutiny thread, never blocking the event loop. */
    public <T> Uni<T> onWorker(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(workers).emitOn(Infrastructure.getDefaultExecutor());
    }

    public Uni<DeviceRunResult> runOn(DeviceTarget target, List<String> commands, Duration timeout) {
        HostKeyCapture capture = hostKeyCapture();
        return onWorker(() -> runner.run(target, commands, timeout, capture)).call(result -> capture.record(target));
    }

    public SshConfig config() {
        return config;
    }

    /** For another operation that opens sessions (a config push): record what it captured after it ran. */
    public HostKeyCapture hostKeyCapture() {
        return new HostKeyCapture();
    }

    /** Remembers the key a device presented on a new session, to store it after the run when none was on record. */
    public final class HostKeyCapture implements CommandRunner.HostKeyRecorder {
        private volatile String presented;

        @Override
        public void presented(DeviceTarget target, SshSessions.Lease lease) {
            if (lease.fresh() && target.knownHostKey() == null) {
                presented = lease.presentedHostKey();
            }
        }

        public Uni<Void> record(DeviceTarget target) {
            if (presented == null) {
                return Uni.createFrom().voidItem();
            }
            return hostKeys.learn(target.deviceId(), target.name(), presented);
        }
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }
}
