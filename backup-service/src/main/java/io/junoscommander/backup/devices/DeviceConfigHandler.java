package io.junoscommander.backup.devices;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * {@code device-configs}: fetches the running configuration of every enabled device through the device service, at most
 * {@code BACKUP_DEVICES_CONCURRENCY} at once, stores a new version where the normalized content changed, records each
 * device's fetch state, writes the newest configurations of the devices seen to the storage ({@code configs.zip}) and
 * applies version retention.
 */
@ApplicationScoped
public class DeviceConfigHandler implements BackupHandler {

    static final String SNAPSHOT = "configs.zip";
    private static final Logger LOG = Logger.getLogger(DeviceConfigHandler.class);
    private static final int PAGE_SIZE = 500;
    /** Versions written into the snapshot per query, so a big fleet is never all in memory. */
    private static final int SNAPSHOT_BATCH = 200;
    private static final Duration FETCH_WAIT = Duration.ofMinutes(3);

    private final DeviceClient devices;
    private final DeviceConfigHistory history;
    private final ConfigNormalizer normalizer;
    private final DeviceHistoryConfig config;
    private final BackupCatalog catalog;
    private final MeterRegistry meters;
    private final DeviceConfigRetention retention;

    DeviceConfigHandler(DeviceClient devices, DeviceConfigHistory history, ConfigNormalizer normalizer, DeviceHistoryConfig config,
            BackupCatalog catalog, MeterRegistry meters, DeviceConfigRetention retention) {
        this.retention = retention;
        this.devices = devices;
        this.history = history;
        this.normalizer = normalizer;
        this.config = config;
        this.catalog = catalog;
        this.meters = meters;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.DEVICE_CONFIGS;
    }

    /** What one run counted. */
    private static final class Tally {
        final AtomicInteger fetched = new AtomicInteger();
        final AtomicInteger changed = new AtomicInteger();
        final AtomicInteger unchanged = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final Map<String, AtomicInteger> failuresByKind = new ConcurrentHashMap<>();
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        if (!config.enabled()) {
            throw new IllegalStateException("device configuration collection is off (BACKUP_DEVICES_ENABLED=false)");
        }
        if (!devices.canAuthenticate()) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not set: the backup service cannot authenticate to the device"
                    + " service");
        }
        long start = System.nanoTime();
        BackupRun run = awaitCatalog(() -> catalog.find(job.id()));
        String source = "schedule".equals(run.trigger) ? DeviceConfigVersion.SCHEDULE : DeviceConfigVersion.API;
        List<DeviceServiceApi.Device> enabled = listEnabled();
        Tally tally = new Tally();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, config.concurrency()), task -> {
            Thread thread = new Thread(task, "device-config-fetch");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (DeviceServiceApi.Device device : enabled) {
                pending.add(pool.submit(() -> collect(device, source, run.requestedBy, tally)));
            }
            for (Future<?> each : pending) {
                each.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long collectedMs = (System.nanoTime() - start) / 1_000_000;
        int snapshot = writeSnapshot(job, enabled.stream().map(DeviceServiceApi.Device::id).toList());
        int pruned = awaitCatalog(retention::apply);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("devicesSeen", enabled.size());
        details.put("fetched", tally.fetched.get());
        details.put("changed", tally.changed.get());
        details.put("unchanged", tally.unchanged.get());
        details.put("failed", tally.failed.get());
        details.put("skipped", tally.skipped.get());
        Map<String, Integer> byKind = new TreeMap<>();
        tally.failuresByKind.forEach((kind, count) -> byKind.put(kind, count.get()));
        details.put("failuresByKind", byKind);
        details.put("inSnapshot", snapshot);
        details.put("versionsPruned", pruned);
        details.put("collectMs", collectedMs);
        details.put("concurrency", config.concurrency());
        meters.counter("backup.device.configs.changed").increment(tally.changed.get());
        meters.counter("backup.device.configs.failed").increment(tally.failed.get());
        LOG.infof("device configurations: %d devices, %d fetched (%d changed), %d failed, %d skipped in %d ms", enabled.size(),
                tally.fetched.get(), tally.changed.get(), tally.failed.get(), tally.skipped.get(), collectedMs);
        return new BackupResult(false, null, null, null, details);
    }

    private List<DeviceServiceApi.Device> listEnabled() {
        List<DeviceServiceApi.Device> all = new ArrayList<>();
        for (int page = 0;; page++) {
            int number = page;
            DeviceServiceApi.DevicePage found = devices.enabledDevices(number, PAGE_SIZE).await().atMost(FETCH_WAIT);
            all.addAll(found.items());
            if (found.items().isEmpty() || (long) (page + 1) * PAGE_SIZE >= found.total()) {
                return all;
            }
        }
    }

    private void collect(DeviceServiceApi.Device device, String source, String requestedBy, Tally tally) {
        DeviceServiceApi.RunningConfig running;
        try {
            running = devices.runningConfig(device.id()).await().atMost(FETCH_WAIT);
        } catch (DeviceServiceProblem problem) {
            if (problem.status() == 409 || problem.status() == 404) {
                // not a Junos device, or deleted since the listing: nothing to collect
                tally.skipped.incrementAndGet();
                return;
            }
            failed(device, problem.kind(), problem.getMessage(), tally);
            return;
        } catch (TimeoutException | io.smallrye.mutiny.TimeoutException e) {
            failed(device, "device-service-timeout", "the device service did not answer in time", tally);
            return;
        } catch (CircuitBreakerOpenException e) {
            failed(device, "device-service-unavailable", "the device service is failing; calls paused (circuit open)", tally);
            return;
        } catch (RuntimeException e) {
            failed(device, "device-service-unavailable", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), tally);
            return;
        }
        String content = normalizer.normalize(running.content());
        try {
            DeviceConfigHistory.Recorded recorded = awaitCatalog(() -> history.recordFetched(device.id(), running.deviceName(), content,
                    running.fetchedAt(), source, requestedBy));
            tally.fetched.incrementAndGet();
            (recorded.changed() ? tally.changed : tally.unchanged).incrementAndGet();
        } catch (Exception e) {
            tally.failed.incrementAndGet();
            tally.failuresByKind.computeIfAbsent("storage", k -> new AtomicInteger()).incrementAndGet();
            LOG.warnf("configuration of %s fetched but not stored: %s", device.name(), e.getMessage());
        }
    }

    private void failed(DeviceServiceApi.Device device, String kind, String message, Tally tally) {
        tally.failed.incrementAndGet();
        tally.failuresByKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        try {
            awaitCatalog(() -> history.recordFailure(device.id(), device.name(), kind, message));
        } catch (Exception e) {
            LOG.warnf("fetch failure of %s not recorded: %s", device.name(), e.getMessage());
        }
    }

    /** One zip of the newest configuration of each device seen, plus an index, so the volume or bucket holds them too. */
    private int writeSnapshot(BackupJob job, List<UUID> deviceIds) throws Exception {
        Path file = job.workDir().resolve(SNAPSHOT);
        int written = 0;
        StringBuilder index = new StringBuilder("device_id\tdevice_name\tversion\tsha256\tfetched_at\n");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
            for (int from = 0; from < deviceIds.size(); from += SNAPSHOT_BATCH) {
                List<UUID> batch = deviceIds.subList(from, Math.min(deviceIds.size(), from + SNAPSHOT_BATCH));
                for (DeviceConfigVersion version : awaitCatalog(() -> history.latestOf(batch))) {
                    zip.putNextEntry(new ZipEntry(safeName(version.deviceName) + "_" + version.deviceId + ".conf"));
                    zip.write(version.content.getBytes(StandardCharsets.UTF_8));
                    zip.closeEntry();
                    index.append(version.deviceId).append('\t').append(version.deviceName).append('\t').append(version.version)
                            .append('\t').append(version.sha256).append('\t').append(version.fetchedAt).append('\n');
                    written++;
                }
            }
            zip.putNextEntry(new ZipEntry("INDEX.tsv"));
            zip.write(index.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        job.store(SNAPSHOT, file);
        return written;
    }

    private static String safeName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static <T> T awaitCatalog(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> call) throws Exception {
        return io.junoscommander.backup.run.BackupRunner.awaitCatalog(call);
    }
}
