package io.junoscommander.backup.redis;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where the Redis snapshot comes from: the Sentinels the other services use, and the master name they watch. */
@ConfigMapping(prefix = "junoscommander.backup.redis")
public interface RedisBackupConfig {

    /** {@code host:port} of each Sentinel ({@code REDIS_SENTINEL_NODES}); a {@code redis://} prefix is allowed. */
    List<String> sentinelNodes();

    /** The master name the Sentinels monitor ({@code REDIS_SENTINEL_MASTER}). */
    String master();

    /** {@code REDIS_PASSWORD}; handed to redis-cli through its environment, never its command line. */
    Optional<String> password();

    /** How long one snapshot transfer may take ({@code BACKUP_REDIS_TIMEOUT}). */
    @WithDefault("30m")
    Duration timeout();
}
