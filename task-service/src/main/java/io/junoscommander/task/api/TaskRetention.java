package io.junoscommander.task.api;

import io.junoscommander.support.schedule.PeriodicJobs;
import io.junoscommander.task.queue.TaskConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Purges tasks finished more than TASK_RETENTION_DAYS ago, once per TASK_RETENTION_CRON period across all replicas (a
 * periodic job), and keeps the tasks-by-state gauge current on each replica.
 */
@ApplicationScoped
public class TaskRetention {

    private static final Logger LOG = Logger.getLogger(TaskRetention.class);
    /** The periodic job's name in job_fire and in the periodic_job_fires metric. */
    public static final String JOB = "task-retention";

    private final TaskRepository repository;
    private final TaskConfig config;
    private final Map<String, Long> byState = new ConcurrentHashMap<>();

    TaskRetention(TaskRepository repository, TaskConfig config, MeterRegistry meters) {
        this.repository = repository;
        this.config = config;
        for (String state : List.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED")) {
            byState.put(state, 0L);
            Gauge.builder("task.tasks", byState, counts -> counts.getOrDefault(state, 0L)).tag("state", state)
                    .description("tasks by state").register(meters);
        }
    }

    void schedule(@Observes StartupEvent started, PeriodicJobs jobs) {
        jobs.register(JOB, config.retentionCron(), this::purge);
    }

    /** One purge; a failure reaches the periodic job, which logs, counts and records it. */
    Uni<Void> purge() {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minusDays(config.retentionDays());
        return repository.purgeFinishedBefore(cutoff).invoke(count -> {
            if (count > 0) {
                LOG.infof("retention: purged %d task(s) finished before %s", count, cutoff);
            }
        }).replaceWithVoid();
    }

    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> measure() {
        return repository.countByState().invoke(counts -> byState.replaceAll((state, old) -> counts.getOrDefault(state, 0L)))
                .replaceWithVoid().onFailure().recoverWithNull();
    }
}
