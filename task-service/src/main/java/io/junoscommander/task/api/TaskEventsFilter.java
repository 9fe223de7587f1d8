package io.junoscommander.task.api;

import io.junoscommander.support.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The event stream of a task that does not exist is a 404 problem like the task's other paths. It must be decided before
 * the stream opens: an SSE answer is committed (200 and its headers) as soon as it starts, so a failure inside it can
 * only cut the connection.
 */
public class TaskEventsFilter {

    private final TaskRepository repository;

    TaskEventsFilter(TaskRepository repository) {
        this.repository = repository;
    }

    @ServerRequestFilter
    public Uni<Void> eventsOfAnExistingTask(ResourceInfo resource, UriInfo uri) {
        if (resource.getResourceClass() != TaskResource.class || resource.getResourceMethod() == null
                || !"events".equals(resource.getResourceMethod().getName())) {
            return Uni.createFrom().voidItem();
        }
        UUID id;
        try {
            id = UUID.fromString(uri.getPathParameters().getFirst("id"));
        } catch (IllegalArgumentException | NullPointerException e) {
            // not an id at all: the resource's own parameter handling answers it
            return Uni.createFrom().voidItem();
        }
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("task " + id))).replaceWithVoid();
    }
}
