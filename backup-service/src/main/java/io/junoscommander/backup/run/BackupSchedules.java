package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.support.schedule.PeriodicJobs;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The seed's backup schedules ({@code BACKUP_SCHEDULE_FULL}, {@code …_INCREMENTAL}, {@code …_REDIS}, {@code …_CLEANUP},
 * {@code …_DEVICES}, {@code …_DRILL}; cron, UTC), each fired once per period across all replicas by the shared
 * {@link PeriodicJobs}. {@code off} turns that job off (an empty environment variable counts as unset, so the default
 * would apply).
 */
@ApplicationScoped
public class BackupSchedules {

    private static final Logger LOG = Logger.getLogger(BackupSchedules.class);

    private final PeriodicJobs jobs;
    private final BackupRunner runner;
    private final BackupConfig config;

    BackupSchedules(PeriodicJobs jobs, BackupRunner runner, BackupConfig config) {
        this.jobs = jobs;
        this.runner = runner;
        this.config = config;
    }

    void register(@Observes StartupEvent event) {
        BackupConfig.Schedule schedule = config.schedule();
        Map<BackupKind, Optional<String>> wanted = new LinkedHashMap<>();
        wanted.put(BackupKind.POSTGRES_FULL, schedule.full());
        wanted.put(BackupKind.POSTGRES_INCREMENTAL, schedule.incremental());
        wanted.put(BackupKind.REDIS, schedule.redis());
        wanted.put(BackupKind.CLEANUP, schedule.cleanup());
        wanted.put(BackupKind.DEVICE_CONFIGS, schedule.devices());
        wanted.put(BackupKind.RESTORE_DRILL, schedule.drill());
        wanted.forEach((kind, cron) -> cron.filter(BackupSchedules::isOn).ifPresent(expression -> {
            if (!runner.supports(kind)) {
                LOG.warnf("no %s backups in this build; its schedule '%s' is ignored", kind.wireName(), expression);
                return;
            }
            try {
                jobs.register("backup-" + kind.wireName(), expression, () -> runner.startScheduled(kind));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("the " + kind.wireName() + " backup schedule '" + expression + "' is not a valid cron"
                        + " expression: " + e.getMessage(), e);
            }
            LOG.infof("%s backups on schedule '%s' (UTC)", kind.wireName(), expression);
        }));
    }

    private static boolean isOn(String expression) {
        return !expression.isBlank() && !"off".equalsIgnoreCase(expression.strip());
    }
}
