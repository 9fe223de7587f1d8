package io.junoscommander.task.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.schedule.Cron;
import io.junoscommander.task.api.TaskRequest;
import io.junoscommander.task.api.TaskService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Schedules fire once per period across all replicas: every replica's scheduler only ticks; the due row is claimed with
 * {@code FOR UPDATE SKIP LOCKED} and the fire recorded under the unique key (schedule, period). The next period is
 * computed from now, so after downtime a missed period fires once, not once per missed period.
 */
@ApplicationScoped
public class ScheduleService {

    private static final Logger LOG = Logger.getLogger(ScheduleService.class);

    private final ScheduleRepository repository;
    private final TaskService tasks;
    private final ObjectMapper json;
    private final String instance;
    private final MeterRegistry meters;

    ScheduleService(ScheduleRepository repository, TaskService tasks, ObjectMapper json, ServiceIdentity identity, MeterRegistry meters) {
        this.repository = repository;
        this.tasks = tasks;
        this.json = json;
        this.instance = identity.instanceId();
        this.meters = meters;
    }

    public Uni<ScheduleView> create(ScheduleRequest request, String user) {
        return repository.insert(toView(UUID.randomUUID(), request, user)).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a schedule named '" + request.name() + "' already exists"));
    }

    public Uni<ScheduleView> replace(UUID id, ScheduleRequest request, String user) {
        return repository.update(toView(id, request, user)).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a schedule named '" + request.name() + "' already exists"))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("schedule " + id)));
    }

    private ScheduleView toView(UUID id, ScheduleRequest request, String user) {
        String zone = zone(request.timezone()).getId();
        boolean enabled = request.enabled() == null || request.enabled();
        OffsetDateTime next = next(request.cron(), zone, OffsetDateTime.now(ZoneOffset.UTC));
        Map<String, Object> template = json.convertValue(request.template(), new TypeReference<Map<String, Object>>() { });
        return new ScheduleView(id, request.name(), request.cron().strip(), zone, enabled, template, enabled ? next : null, null, user,
                null, null);
    }

    @Scheduled(every = "${junoscommander.schedules.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return repository.pool().withTransaction(conn -> repository.lockDue(conn, 20).flatMap(due -> {
            List<Uni<Map.Entry<ScheduleView, Boolean>>> fires = new ArrayList<>();
            for (ScheduleView schedule : due) {
                OffsetDateTime next = next(schedule.cron(), schedule.timezone(), now);
                fires.add(repository.recordFire(conn, schedule.id(), schedule.nextFireAt(), next, instance)
                        .map(fired -> Map.entry(schedule, fired)));
            }
            return fires.isEmpty() ? Uni.createFrom().item(List.<Map.Entry<ScheduleView, Boolean>>of())
                    : Multi.createFrom().iterable(fires).onItem().transformToUniAndConcatenate(uni -> uni).collect().asList();
        })).flatMap(fired -> Multi.createFrom().iterable(fired).filter(Map.Entry::getValue)
                .onItem().transformToUniAndConcatenate(entry -> submit(entry.getKey())).collect().asList())
                .replaceWithVoid().onFailure().invoke(e -> LOG.warnf("schedule tick failed: %s", e.getMessage())).onFailure()
                .recoverWithNull();
    }

    private Uni<Void> submit(ScheduleView schedule) {
        meters.counter("task.schedule.fires", "schedule", schedule.name()).increment();
        TaskRequest request = json.convertValue(schedule.template(), TaskRequest.class);
        return tasks.submit(request, schedule.createdBy(), Set.of("operator"), schedule.id())
                .flatMap(task -> repository.runOutcome(schedule.id(), schedule.nextFireAt(), task.id(), null))
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("schedule %s fired but its task was not created: %s", schedule.name(), e.getMessage());
                    return repository.runOutcome(schedule.id(), schedule.nextFireAt(), null, e.getMessage());
                });
    }

    /** The schedule's zone; a 400 naming the field when unknown. */
    static ZoneId zone(String timezone) {
        try {
            return Cron.zone(timezone);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("timezone", "unknown time zone '" + timezone + "'; use an IANA name like Europe/Amsterdam");
        }
    }

    /** The schedule's first fire strictly after {@code after}; a 400 naming the field for a bad or never-firing expression. */
    static OffsetDateTime next(String cron, String timezone, OffsetDateTime after) {
        Cron parsed;
        try {
            parsed = Cron.parse(cron);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("cron", "not a valid cron expression (" + e.getMessage() + "); use five fields like"
                    + " '*/15 * * * *' or six with seconds like '*/5 * * * * ?'");
        }
        return parsed.next(zone(timezone), after).orElseThrow(() -> ProblemException.badRequest("cron", "never fires"));
    }
}
