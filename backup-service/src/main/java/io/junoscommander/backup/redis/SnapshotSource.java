package io.junoscommander.backup.redis;

import io.junoscommander.backup.redis.RedisNodes.Address;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node a snapshot is taken from: a healthy replica when there is one (the master keeps serving without the fork and
 * the transfer), the master only when no replica is fit.
 *
 * @param role   {@code replica} or {@code master}
 * @param reason why this node, for the run's details
 */
public record SnapshotSource(Address address, String role, String reason) {

    private static final Set<String> UNFIT_FLAGS = Set.of("s_down", "o_down", "disconnected");

    /**
     * Chooses among {@code replicas} as one Sentinel reports them ({@code SENTINEL REPLICAS}): a replica is healthy when
     * its link to the master is {@code ok} and Sentinel does not see it down or disconnected; of those, the one with the
     * most replicated data. Without one, {@code master}.
     */
    public static SnapshotSource choose(List<Map<String, String>> replicas, Address master, Address sentinel) {
        Optional<Map<String, String>> best = replicas.stream().filter(SnapshotSource::healthy)
                .max(Comparator.comparingLong(SnapshotSource::offset));
        if (best.isPresent()) {
            Map<String, String> replica = best.get();
            return new SnapshotSource(new Address(replica.get("ip"), Integer.parseInt(replica.get("port"))), "replica",
                    "healthy replica (master-link-status ok) of " + replicas.size() + " reported by Sentinel " + sentinel);
        }
        String why = replicas.isEmpty() ? "Sentinel " + sentinel + " reports no replica"
                : "Sentinel " + sentinel + " reports no healthy replica (" + String.join("; ", replicas.stream()
                        .map(r -> r.get("ip") + ":" + r.get("port") + " flags=" + r.get("flags") + " link=" + r.get("master-link-status"))
                        .toList()) + ")";
        return new SnapshotSource(master, "master", why + "; the snapshot is taken from the master");
    }

    static boolean healthy(Map<String, String> replica) {
        if (replica.get("ip") == null || replica.get("port") == null) {
            return false;
        }
        for (String flag : replica.getOrDefault("flags", "").split(",")) {
            if (UNFIT_FLAGS.contains(flag.strip())) {
                return false;
            }
        }
        return "ok".equals(replica.get("master-link-status"));
    }

    private static long offset(Map<String, String> replica) {
        try {
            return Long.parseLong(replica.getOrDefault("slave-repl-offset", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
