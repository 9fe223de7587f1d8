package io.junoscommander.task.queue;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Execution engine settings; README lists their environment variables. */
@ConfigMapping(prefix = "junoscommander.tasks")
public interface TaskConfig {

    /** Devices this replica works on at once, across all tasks. */
    @WithDefault("200")
    int replicaCapacity();

    /** A claimed device is another replica's after this long without renewal (its holder is presumed dead). */
    @WithDefault("30s")
    Duration lease();

    /** How often a replica extends the leases it holds (a third of the lease or less). */
    @WithDefault("10s")
    Duration renewInterval();

    /**
     * How often a replica looks for claimable work (it also looks whenever one of its devices finishes). The Quarkus
     * scheduler runs nothing more often than once a second, so less than 1 s acts as 1 s.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** After the device service was unreachable, a device is offered again this much later. */
    @WithDefault("5s")
    Duration retryDelay();

    @WithDefault("30")
    int retentionDays();

    /** When finished tasks past their retention are purged: once per period across all replicas (five or six cron fields, UTC). */
    @WithDefault("0 * * * *")
    String retentionCron();
}
