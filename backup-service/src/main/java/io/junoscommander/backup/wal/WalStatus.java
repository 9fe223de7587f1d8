package io.junoscommander.backup.wal;

import io.junoscommander.backup.wal.WalArchive.ArchivedFile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/** Puts the receiver's state together from the lease (who runs it), the lag monitor (the server's view) and the catalog. */
@ApplicationScoped
public class WalStatus {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final WalConfig wal;
    private final WalReceiver receiver;
    private final WalLagMonitor monitor;
    private final ReceiverLease lease;
    private final WalArchive archive;

    WalStatus(WalConfig wal, WalReceiver receiver, WalLagMonitor monitor, ReceiverLease lease, WalArchive archive) {
        this.wal = wal;
        this.receiver = receiver;
        this.monitor = monitor;
        this.lease = lease;
        this.archive = archive;
    }

    public Uni<WalStatusView> current() {
        // the database may be away (a restart, a failover): the answer then says what this replica knows
        Uni<Optional<ReceiverLease.Holder>> holder = lease.holder(wal.slot()).ifNoItem().after(TIMEOUT).fail().onFailure()
                .recoverWithItem(Optional.empty());
        Uni<Optional<ArchivedFile>> newest = archive.newestSegment().ifNoItem().after(TIMEOUT).fail().onFailure()
                .recoverWithItem(Optional.empty());
        return Uni.combine().all().unis(holder, newest).asTuple().map(found -> view(found.getItem1(), found.getItem2()));
    }

    private WalStatusView view(Optional<ReceiverLease.Holder> holder, Optional<ArchivedFile> newest) {
        WalLagMonitor.Snapshot snapshot = monitor.snapshot();
        ReplicationServer.ReceiverPosition position = snapshot.position();
        Optional<ReceiverLease.Holder> live = holder.filter(h -> !h.expired());
        boolean streaming = snapshot.streaming();
        String syncState = streaming ? position.syncState() : null;
        double lagBytes = monitor.lagBytes();
        double lagSeconds = monitor.lagSeconds();
        String error = receiver.lastError().orElse(snapshot.error());
        return new WalStatusView(wal.enabled(), streaming, receiver.state().name().toLowerCase(java.util.Locale.ROOT),
                live.map(ReceiverLease.Holder::owner).orElse(null), live.map(ReceiverLease.Holder::acquiredAt).orElse(null),
                live.map(ReceiverLease.Holder::expiresAt).orElse(null), receiver.holdsLease(), wal.slot(), wal.applicationName(),
                wal.synchronous(), "sync".equals(syncState) || "quorum".equals(syncState), syncState,
                position == null ? null : position.currentLsn(), streaming ? position.writeLsn() : null,
                streaming ? position.flushLsn() : null, Double.isNaN(lagBytes) ? null : lagBytes,
                Double.isNaN(lagSeconds) ? null : lagSeconds, snapshot.measuredAt(), newest.map(ArchivedFile::name).orElse(null),
                newest.map(ArchivedFile::archivedAt).orElse(null), receiver.restarts(), error);
    }
}
