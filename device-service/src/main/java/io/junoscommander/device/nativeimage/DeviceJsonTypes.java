package io.junoscommander.device.nativeimage;

import io.junoscommander.device.command.CommandResult;
import io.junoscommander.device.command.DeviceRunResult;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the {@code native} profile: the fan-out's results, written one JSON object per line as each device finishes
 * ({@code Multi<DeviceRunResult>} as NDJSON), with their per-command results nested in a list; registered here rather than
 * left to what Quarkus REST infers from a streamed generic return type.
 */
@RegisterForReflection(targets = {DeviceRunResult.class, CommandResult.class})
public final class DeviceJsonTypes {

    private DeviceJsonTypes() {
    }
}
