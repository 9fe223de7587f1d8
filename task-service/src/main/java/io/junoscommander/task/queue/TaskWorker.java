package io.junoscommander.task.queue;

import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.task.device.DeviceClient;
import io.junoscommander.task.device.DeviceDtos;
import io.junoscommander.task.events.TaskEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * This replica's share of the work: claims devices (polling, and again whenever one finishes), runs each through the
 * device service, records the result, renews its leases, and on shutdown stops claiming and lets running devices finish.
 */
@ApplicationScoped
public class TaskWorker {

    private static final Logger LOG = Logger.getLogger(TaskWorker.class);
    /** Results written in one transaction at most. */
    private static final int MAX_BATCH = 500;

    private final WorkQueue queue;
    private final DeviceClient devices;
    private final TaskEvents events;
    private final TaskConfig config;
    private final String owner;
    private final Duration shutdownTimeout;
    private final MeterRegistry meters;
    private final Timer deviceDuration;
    private final Map<String, ClaimedDevice> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean claimAgain = new AtomicBoolean();
    private final AtomicLong queueDepth = new AtomicLong();
    private final Queue<PendingResult> unwritten = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile long stopRequestedAt;
    private final Optional<Duration> shutdownDelay;

    TaskWorker(WorkQueue queue, DeviceClient devices, TaskEvents events, TaskConfig config, ServiceIdentity identity,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Duration shutdownTimeout,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> shutdownDelay, MeterRegistry meters) {
        this.shutdownDelay = shutdownDelay;
        this.queue = queue;
        this.devices = devices;
        this.events = events;
        this.config = config;
        this.owner = identity.instanceId();
        this.shutdownTimeout = shutdownTimeout;
        this.meters = meters;
        this.deviceDuration = Timer.builder("task.device.duration").description("one device of a task, claim to recorded result")
                .publishPercentileHistogram().register(meters);
        meters.gauge("task.queue.depth", queueDepth);
        meters.gauge("task.devices.in_flight", inFlight, Map::size);
    }

    @Scheduled(every = "${junoscommander.tasks.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return claimAndDispatch();
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> measureQueue() {
        return queue.pendingDevices().invoke(queueDepth::set).replaceWithVoid().onFailure().recoverWithNull();
    }

    /** Leases are renewed at a third of their length, so one missed renewal never loses a device. */
    @Scheduled(every = "${junoscommander.tasks.renew-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> renew() {
        List<UUID[]> held = new ArrayList<>();
        inFlight.values().forEach(device -> held.add(new UUID[] {device.taskId(), device.deviceId()}));
        return queue.renew(owner, held).replaceWithVoid().onFailure().invoke(e -> LOG.warnf("lease renewal failed: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** New work is waiting: claim now rather than at the next poll. */
    public void wake() {
        claimAndDispatch().subscribe().with(ignored -> { }, e -> { });
    }

    /** One claiming pass at a time; a request during a pass makes it run once more. */
    Uni<Void> claimAndDispatch() {
        if (stopping) {
            return Uni.createFrom().voidItem();
        }
        if (!claiming.compareAndSet(false, true)) {
            claimAgain.set(true);
            return Uni.createFrom().voidItem();
        }
        claimAgain.set(false);
        return queue.activeTasks().flatMap(this::claimFrom).onFailure()
                .invoke(e -> LOG.warnf("claiming work failed: %s", e.getMessage())).onFailure().recoverWithNull()
                .eventually(() -> {
                    claiming.set(false);
                    if (claimAgain.getAndSet(false)) {
                        claimAndDispatch().subscribe().with(ignored -> { }, e -> { });
                    }
                }).replaceWithVoid();
    }

    private Uni<Void> claimFrom(List<UUID> tasks) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID task : tasks) {
            chain = chain.flatMap(ignored -> {
                int room = config.replicaCapacity() - inFlight.size();
                if (room <= 0 || stopping) {
                    return Uni.createFrom().voidItem();
                }
                return queue.claim(task, owner, room).invoke(this::dispatch).replaceWithVoid();
            });
        }
        return chain;
    }

    /**
     * The devices one claim took (all of one task) go to the device service in one streaming fan-out call; each result is
     * recorded as its line arrives, so a slow device holds only its own slot. Devices the call did not answer for are put
     * back when the device service failed, or run one by one when it refused the batch (a device deleted or disabled since
     * the task started makes the whole fan-out a 400; alone, each gets its own verdict).
     */
    private void dispatch(List<ClaimedDevice> claimed) {
        if (claimed.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        Map<UUID, ClaimedDevice> waiting = new ConcurrentHashMap<>();
        claimed.forEach(device -> {
            waiting.put(device.deviceId(), device);
            inFlight.put(key(device), device);
        });
        ClaimedDevice first = claimed.get(0);
        List<UUID> ids = claimed.stream().map(ClaimedDevice::deviceId).toList();
        // the device service bounds each command; allow for every command plus connection set-up between two results
        Duration bound = Duration.ofSeconds((long) first.timeoutSeconds() * first.commands().size() + 30);
        devices.runMany(first.submittedBy(), ids, first.commands(), first.timeoutSeconds(), claimed.size())
                .ifNoItem().after(bound).fail()
                .onItem().transformToUniAndMerge(result -> {
                    ClaimedDevice device = waiting.remove(result.deviceId());
                    return device == null ? Uni.createFrom().voidItem() : settle(device, record(device, result), start);
                })
                .collect().last().replaceWithVoid()
                .onItemOrFailure().invoke((ignored, failure) -> {
                    List<ClaimedDevice> unanswered = List.copyOf(waiting.values());
                    waiting.clear();
                    if (unanswered.isEmpty()) {
                        return;
                    }
                    if (failure == null || failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
                        unanswered.forEach(device -> dispatchOne(device, start));
                    } else {
                        LOG.warnf("%d device(s) of task %s not run, offered again later: %s", unanswered.size(), first.taskId(),
                                failure.getMessage());
                        unanswered.forEach(device -> settle(device, queue.release(device, owner), start).subscribe().with(x -> { }));
                    }
                }).subscribe().with(ignored -> { }, e -> { });
    }

    /** One device on its own, through the single-device endpoint: its refusal is that device's result. */
    private void dispatchOne(ClaimedDevice device, long start) {
        Duration bound = Duration.ofSeconds((long) device.timeoutSeconds() * device.commands().size() + 30);
        Uni<Void> outcome = devices.run(device.submittedBy(), device.deviceId(), device.commands(), device.timeoutSeconds())
                .ifNoItem().after(bound).fail()
                .onItemOrFailure().transformToUni((result, failure) -> {
                    if (failure == null) {
                        return record(device, result);
                    }
                    if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
                        // the device service refused this device (deleted, disabled, lost its credential): a result, not an outage
                        return record(device, new DeviceDtos.RunResult(device.deviceId(), device.deviceName(), false, "rejected",
                                "device service refused: HTTP " + web.getResponse().getStatus(), 0, List.of()));
                    }
                    LOG.warnf("device %s of task %s not run, offered again later: %s", device.deviceName(), device.taskId(),
                            failure.getMessage());
                    return queue.release(device, owner);
                });
        settle(device, outcome, start).subscribe().with(ignored -> { });
    }

    /** Whatever became of a device, it leaves this replica's hands (and frees its slot) once {@code outcome} is written. */
    private Uni<Void> settle(ClaimedDevice device, Uni<Void> outcome, long start) {
        return outcome.onFailure().invoke(e -> LOG.errorf("recording device %s of task %s failed: %s", device.deviceName(),
                device.taskId(), e.getMessage())).onFailure().recoverWithNull().eventually(() -> finished(key(device), start));
    }

    private static String key(ClaimedDevice device) {
        return device.taskId() + "/" + device.deviceId();
    }

    private void finished(String key, long start) {
        inFlight.remove(key);
        deviceDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        claimAndDispatch().subscribe().with(ignored -> { }, e -> { });
    }

    /**
     * Queues a result for the next batch write and completes once it is written. While one batch is being written the
     * next one gathers, so under load a replica writes many results per transaction and idle it writes each at once.
     */
    private Uni<Void> record(ClaimedDevice device, DeviceDtos.RunResult result) {
        PendingResult pending = new PendingResult(new WorkQueue.Finished(device, result), new CompletableFuture<>());
        unwritten.add(pending);
        flushResults();
        return Uni.createFrom().completionStage(pending.written());
    }

    private record PendingResult(WorkQueue.Finished finished, CompletableFuture<Void> written) {
    }

    private void flushResults() {
        if (!flushing.compareAndSet(false, true)) {
            return;
        }
        List<PendingResult> batch = new ArrayList<>();
        for (PendingResult next = unwritten.poll(); next != null && batch.size() < MAX_BATCH; next = unwritten.poll()) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            flushing.set(false);
            // a result queued between the last poll and the reset above must not wait for the next one
            if (!unwritten.isEmpty()) {
                flushResults();
            }
            return;
        }
        queue.recordAll(batch.stream().map(PendingResult::finished).toList(), owner)
                .subscribe().with(recorded -> {
                    batch.forEach(pending -> pending.written().complete(null));
                    flushing.set(false);
                    flushResults();
                    // announced once the results are stored, without holding up the next batch: while Redis fails over a
                    // publish waits for a connection, recording must not (event streams catch up from the database)
                    announce(recorded).subscribe().with(ignored -> { }, e -> { });
                }, failure -> {
                    batch.forEach(pending -> pending.written().completeExceptionally(failure));
                    flushing.set(false);
                    flushResults();
                });
    }

    /** Metrics and progress events for what a batch wrote, one message per task; the final event of each task that ended comes last. */
    private Uni<Void> announce(WorkQueue.Recorded recorded) {
        Map<UUID, List<JsonObject>> byTask = new LinkedHashMap<>();
        for (WorkQueue.Finished finished : recorded.counted()) {
            DeviceDtos.RunResult result = finished.result();
            meters.counter("task.device.results", "outcome", result.ok() ? "succeeded" : result.errorKind() == null ? "failed"
                    : result.errorKind()).increment();
            ClaimedDevice device = finished.device();
            Map<String, Integer> counts = recorded.tasks().get(device.taskId()).counts();
            byTask.computeIfAbsent(device.taskId(), id -> new ArrayList<>()).add(TaskEvents.deviceEvent(device.taskId(),
                    device.deviceId(), device.deviceName(), finished.state(), result.errorKind(), counts,
                    recorded.eventIds().get(WorkQueue.key(device.taskId(), device.deviceId()))));
        }
        List<Uni<Void>> published = new ArrayList<>();
        byTask.forEach((taskId, deviceEvents) -> {
            deviceEvents.sort(Comparator.comparing(event -> event.getLong("seq", Long.MAX_VALUE)));
            published.add(events.devicesFinished(taskId, deviceEvents));
        });
        Uni<Void> devicesAnnounced = published.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(published).andCollectFailures().replaceWithVoid();
        return devicesAnnounced.flatMap(ignored -> {
            List<Uni<Void>> endings = new ArrayList<>();
            recorded.tasks().forEach((taskId, progress) -> progress.finalState().ifPresent(end -> {
                meters.counter("task.finished", "state", end).increment();
                endings.add(events.taskFinished(taskId, end, progress.counts()));
            }));
            return endings.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(endings).andCollectFailures().replaceWithVoid();
        });
    }

    /** SIGTERM with a shutdown delay (readiness DOWN): claim nothing more, so running devices can finish during the delay. */
    void stopClaiming(@Observes ShutdownDelayInitiatedEvent event) {
        if (!stopping) {
            stopRequestedAt = System.nanoTime();
            stopping = true;
        }
    }

    /**
     * SIGTERM: stop claiming, give running devices until the shutdown timeout, hand back whatever is still held. The wait
     * ends in time for the process to exit within the shutdown delay plus the shutdown timeout after SIGTERM (this event
     * comes after the delay and after the HTTP server's own drain), keeping a few seconds for the hand-back.
     */
    void stop(@Observes ShutdownEvent event) {
        if (!stopping) {
            stopRequestedAt = System.nanoTime();
            stopping = true;
        }
        long deadline = Math.min(System.nanoTime() + shutdownTimeout.toNanos(),
                stopRequestedAt + shutdownDelay.orElse(Duration.ZERO).plus(shutdownTimeout).minusSeconds(3).toNanos());
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            Integer released = queue.releaseAll(owner).await().atMost(Duration.ofSeconds(5));
            LOG.infof("shutdown: %d device(s) still running were handed back, %d released", inFlight.size(), released);
        } catch (RuntimeException e) {
            LOG.warnf("shutdown: leases not released (they expire by themselves): %s", e.getMessage());
        }
    }

    Set<String> inFlightKeys() {
        return inFlight.keySet();
    }
}
