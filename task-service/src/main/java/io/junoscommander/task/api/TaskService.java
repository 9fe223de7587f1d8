package io.junoscommander.task.api;

import io.junoscommander.support.problem.Problem;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.task.device.DeviceClient;
import io.junoscommander.task.device.DeviceDtos;
import io.junoscommander.task.events.TaskEvents;
import io.junoscommander.task.queue.TaskWorker;
import io.junoscommander.task.queue.WorkQueue;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Submitting and cancelling tasks; targets are resolved through the device service once, at submission, and frozen. */
@ApplicationScoped
public class TaskService {

    private final TaskRepository repository;
    private final DeviceClient devices;
    private final WorkQueue queue;
    private final TaskEvents events;
    private final TaskWorker worker;

    TaskService(TaskRepository repository, DeviceClient devices, WorkQueue queue, TaskEvents events, TaskWorker worker) {
        this.repository = repository;
        this.devices = devices;
        this.queue = queue;
        this.events = events;
        this.worker = worker;
    }

    public Uni<TaskView> submit(TaskRequest request, String user, Set<String> roles, UUID scheduleId) {
        if (request.target().isEmpty()) {
            throw ProblemException.badRequest("target", "name deviceIds, tags, platform or site, or all: true");
        }
        TaskRequest.Target target = request.target();
        DeviceDtos.TargetSelector selector = new DeviceDtos.TargetSelector(target.deviceIds(), target.tags(), target.platform(),
                target.site(), target.all());
        return devices.resolve(user, roles, selector).flatMap(resolution -> {
            if (resolution.unknownIds() != null && !resolution.unknownIds().isEmpty()) {
                throw ProblemException.invalid("unknown device ids; nothing was stored", resolution.unknownIds().stream()
                        .map(id -> new Problem.FieldError("target.deviceIds", "no device " + id)).toList());
            }
            boolean explicit = target.deviceIds() != null && !target.deviceIds().isEmpty();
            List<DeviceDtos.ResolvedDevice> usable = resolution.devices().stream().filter(d -> d.enabled() && d.hasCredential()).toList();
            if (explicit && usable.size() < resolution.devices().size()) {
                throw ProblemException.invalid("some devices cannot be run; nothing was stored", resolution.devices().stream()
                        .filter(d -> !d.enabled() || !d.hasCredential())
                        .map(d -> new Problem.FieldError("target.deviceIds",
                                d.name() + (d.enabled() ? " has no credential" : " is disabled")))
                        .toList());
            }
            if (usable.isEmpty()) {
                throw ProblemException.badRequest("target", "matches no enabled device with a credential");
            }
            Map<String, Object> frozenTarget = new LinkedHashMap<>();
            if (explicit) {
                frozenTarget.put("deviceIds", target.deviceIds().stream().map(UUID::toString).toList());
            }
            if (target.tags() != null && !target.tags().isEmpty()) {
                frozenTarget.put("tags", target.tags());
            }
            if (target.platform() != null) {
                frozenTarget.put("platform", target.platform());
            }
            if (target.site() != null) {
                frozenTarget.put("site", target.site());
            }
            if (Boolean.TRUE.equals(target.all())) {
                frozenTarget.put("all", true);
            }
            TaskView task = new TaskView(UUID.randomUUID(), request.name(), request.commands(), frozenTarget,
                    request.concurrencyOrDefault(), request.timeoutOrDefault(), request.failureThresholdPercent(),
                    request.changesConfiguration(), "PENDING", usable.size(), null, user, scheduleId, null, null, null);
            List<Map.Entry<UUID, String>> rows = usable.stream()
                    .map(d -> (Map.Entry<UUID, String>) new AbstractMap.SimpleEntry<>(d.id(), d.name())).toList();
            // the replica that took the task starts on it at once; the others join at their next poll
            return repository.pool().withTransaction(conn -> repository.insert(conn, task, rows)).invoke(worker::wake);
        });
    }

    public Uni<TaskView> get(UUID id) {
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("task " + id)))
                .flatMap(task -> queue.counts(id).map(task::withCounts));
    }

    public Uni<TaskView> cancel(UUID id) {
        return get(id).flatMap(task -> {
            if (task.isFinal()) {
                throw ProblemException.conflict("task " + id + " already ended " + task.state());
            }
            return queue.cancel(id).call(recorded -> recorded.finalState()
                    .map(state -> events.taskFinished(id, state, recorded.counts())).orElse(Uni.createFrom().voidItem()))
                    .flatMap(recorded -> get(id));
        });
    }
}
