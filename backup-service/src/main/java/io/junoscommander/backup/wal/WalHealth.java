package io.junoscommander.backup.wal;

import io.junoscommander.support.health.ComponentContributor;
import io.junoscommander.support.health.ComponentReport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WAL receiver on {@code /health/detailed}: DOWN when no receiver streams, but never critical, since taking this
 * replica out of rotation would not bring the receiver back (another replica or the next restart does).
 */
@ApplicationScoped
public class WalHealth implements ComponentContributor {

    private final WalStatus status;
    private final WalConfig wal;

    WalHealth(WalStatus status, WalConfig wal) {
        this.status = status;
        this.wal = wal;
    }

    @Override
    public Uni<List<ComponentReport>> components() {
        if (!wal.enabled()) {
            return Uni.createFrom().item(List.of());
        }
        long start = System.nanoTime();
        return status.current().map(view -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("state", view.state());
            details.put("slot", view.slot());
            if (view.holder() != null) {
                details.put("holder", view.holder());
            }
            details.put("synchronous", view.synchronous());
            if (view.lagBytes() != null) {
                details.put("lagBytes", view.lagBytes());
            }
            if (view.lagSeconds() != null) {
                details.put("lagSeconds", view.lagSeconds());
            }
            if (view.lastSegment() != null) {
                details.put("lastSegment", view.lastSegment());
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            return List.of(view.running() ? ComponentReport.up("wal-receiver", "pg_receivewal", null, ms, details)
                    : new ComponentReport("wal-receiver", "DOWN", "pg_receivewal", null, ms,
                            view.lastError() == null ? "no WAL receiver streams from slot " + view.slot() : view.lastError(), details));
        }).onFailure().recoverWithItem(e -> List.of(ComponentReport.down("wal-receiver", "pg_receivewal", null,
                (System.nanoTime() - start) / 1_000_000, e.getMessage() == null ? "receiver state unavailable" : e.getMessage())));
    }
}
