package io.junoscommander.device.changes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where committed pushes are published ({@code CONFIG_CHANGES_STREAM}, {@code CONFIG_CHANGES_MAX_LENGTH}). */
@ConfigMapping(prefix = "junoscommander.config-changes")
public interface ConfigChangesConfig {

    @WithDefault("jc:config-changes")
    String stream();

    /** Entries kept (approximately: {@code MAXLEN ~}); each holds one whole configuration, so mind Redis memory. */
    @WithDefault("100000")
    long maxLength();
}
