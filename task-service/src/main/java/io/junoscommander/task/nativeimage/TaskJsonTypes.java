package io.junoscommander.task.nativeimage;

import io.junoscommander.task.api.TaskRequest;
import io.junoscommander.task.device.DeviceDtos;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the {@code native} profile: types Jackson binds outside a REST signature. A schedule's template is converted to and
 * from {@link TaskRequest} with {@code ObjectMapper.convertValue}; the device service's NDJSON fan-out lines are read one
 * by one into {@link DeviceDtos.RunResult}; the other device DTOs travel through the REST client.
 */
@RegisterForReflection(targets = {TaskRequest.class, TaskRequest.Target.class, DeviceDtos.TargetSelector.class,
        DeviceDtos.ResolvedDevice.class, DeviceDtos.Resolution.class, DeviceDtos.CommandRequest.class, DeviceDtos.FanoutRequest.class,
        DeviceDtos.RunResult.class})
public final class TaskJsonTypes {

    private TaskJsonTypes() {
    }
}
