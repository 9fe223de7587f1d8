package io.junoscommander.lab.cli;

import java.time.Instant;

/** What a simulated device says about itself: the data behind {@code show version} and {@code show chassis hardware}. */
public record DeviceIdentity(String name, String model, String serial, String osVersion, Instant bootTime) {
}
