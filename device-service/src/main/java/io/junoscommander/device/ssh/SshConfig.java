package io.junoscommander.device.ssh;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** SSH client limits; every value has an environment variable in the README. */
@ConfigMapping(prefix = "junoscommander.ssh")
public interface SshConfig {

    @WithDefault("10s")
    Duration connectTimeout();

    @WithDefault("10s")
    Duration authTimeout();

    /** Per command, when the request does not say. */
    @WithDefault("30s")
    Duration commandTimeout();

    /** Output kept per command; the rest is cut and the result flagged truncated. */
    @WithDefault("1048576")
    int maxOutputBytes();

    /** An authenticated session unused this long is closed. */
    @WithDefault("60s")
    Duration sessionIdleTimeout();

    /** Devices worked on at once by this replica (one worker thread each). */
    @WithDefault("256")
    int maxConcurrentDevices();

    /** Operations at once on one device (each its own channel on the shared session). */
    @WithDefault("2")
    int perDeviceConcurrency();

    /** Default and upper bound of a fan-out request's concurrency. */
    @WithDefault("50")
    int defaultFanoutConcurrency();

    /** {@code tofu}: learn a device's host key on first use; {@code strict}: only pinned keys are accepted. */
    @WithDefault("tofu")
    String hostKeyPolicy();
}
