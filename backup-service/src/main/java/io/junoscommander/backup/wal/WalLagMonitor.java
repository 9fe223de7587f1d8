package io.junoscommander.backup.wal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Measures, on every replica, how far the receiver trails the server: bytes between the server's current WAL position
 * and what the receiver wrote (synchronous mode: flushed), and the server's own lag time for that position. Every replica
 * sees the same figures, whichever runs the receiver, so the API and the metrics agree across replicas.
 */
@ApplicationScoped
public class WalLagMonitor {

    private static final Logger LOG = Logger.getLogger(WalLagMonitor.class);

    private final WalConfig wal;
    private final ReplicationServer server;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "wal-lag-monitor");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Snapshot snapshot = new Snapshot(null, Instant.EPOCH, "not measured yet");
    private volatile boolean errorLogged;

    /** The last measurement: the server's view, when it was taken, and the error if the server could not be asked. */
    public record Snapshot(ReplicationServer.ReceiverPosition position, Instant measuredAt, String error) {

        public boolean streaming() {
            return position != null && position.streaming();
        }
    }

    WalLagMonitor(WalConfig wal, ReplicationServer server, MeterRegistry meters) {
        this.wal = wal;
        this.server = server;
        Gauge.builder("backup.wal.receiver.up", this, monitor -> monitor.snapshot.streaming() ? 1 : 0)
                .description("1 while a WAL receiver (on any replica) streams from the slot").register(meters);
        Gauge.builder("backup.wal.receiver.lag.bytes", this, WalLagMonitor::lagBytes)
                .description("server WAL position minus what the receiver wrote (flushed, in synchronous mode)").baseUnit("bytes")
                .register(meters);
        Gauge.builder("backup.wal.receiver.lag.seconds", this, WalLagMonitor::lagSeconds)
                .description("how long the server's newest WAL takes to reach the receiver").register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (wal.enabled()) {
            timer.scheduleWithFixedDelay(this::measure, 0, wal.lagInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Measures now (tests and the incremental backup want a fresh figure). */
    public Snapshot measure() {
        try {
            server.segmentSize();
            snapshot = new Snapshot(server.position(wal.slot()), Instant.now(), null);
            errorLogged = false;
        } catch (RuntimeException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!errorLogged) {
                LOG.warnf("cannot measure the WAL receiver's lag: %s", error);
                errorLogged = true;
            }
            snapshot = new Snapshot(null, Instant.now(), error);
        }
        return snapshot;
    }

    /** Bytes the receiver trails by; while it does not stream, what its slot still holds back; NaN when unknown. */
    public double lagBytes() {
        ReplicationServer.ReceiverPosition position = snapshot.position();
        if (position == null) {
            return Double.NaN;
        }
        Long bytes = position.streaming() ? (wal.synchronous() ? position.flushLagBytes() : position.lagBytes()) : null;
        if (bytes == null) {
            // not streaming, or a backup role without pg_monitor (the WAL sender's positions are hidden then): what the slot
            // still holds back, which trails by up to a segment in asynchronous mode
            bytes = position.slotLagBytes();
        }
        return bytes == null ? Double.NaN : Math.max(0, bytes);
    }

    /**
     * Seconds the newest WAL takes to reach the receiver; 0 when it has caught up, NaN while it does not stream or when the
     * backup role may not see the WAL sender's lag (it needs {@code pg_monitor}).
     */
    public double lagSeconds() {
        ReplicationServer.ReceiverPosition position = snapshot.position();
        if (position == null || !position.streaming()) {
            return Double.NaN;
        }
        if (position.writeLsn() == null) {
            return Double.NaN;
        }
        Double seconds = wal.synchronous() ? position.flushLagSeconds() : position.writeLagSeconds();
        return seconds == null ? 0 : seconds;
    }
}
