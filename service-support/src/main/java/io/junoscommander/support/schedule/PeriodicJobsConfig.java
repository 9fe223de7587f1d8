package io.junoscommander.support.schedule;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of {@link PeriodicJobs}. */
@ConfigMapping(prefix = "junoscommander.periodic-jobs")
public interface PeriodicJobsConfig {

    /**
     * How often each replica looks for jobs whose period began (the Quarkus scheduler's floor is 1 s). A period shorter
     * than two ticks can be missed under load; the next one is not.
     */
    @WithDefault("1s")
    Duration tick();

    /** Rows of {@code job_fire} older than this are removed when their job fires again (the latest row always stays). */
    @WithDefault("P30D")
    Duration history();
}
