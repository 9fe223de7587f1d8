package io.junoscommander.support.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The request limits {@link EdgeProblems} answers with problem+json (the body limit is Quarkus's own max-body-size). */
@ConfigMapping(prefix = "junoscommander.http")
public interface HttpLimits {

    /** Longest request target (path and query), in characters: 414 beyond. */
    @WithDefault("4096")
    int maxRequestTarget();

    /** Largest sum of header names and values: 431 beyond. */
    @WithDefault("20K")
    MemorySize maxHeaderSize();
}
