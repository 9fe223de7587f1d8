package io.junoscommander.backup.s3;

import io.junoscommander.backup.redis.RedisBackups;
import io.junoscommander.infra.testing.InternalTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code InfraTestResource} for a test with a profile of its own: the same configuration, from the harness this JVM runs
 * already ({@code SharedInfra} in the profile's new class loader would try to start a second one in the same folder).
 */
public class AttachedInfraTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(RedisBackups.infra().serviceEnvironment());
        config.putAll(InternalTokens.configuration());
        return config;
    }

    @Override
    public void stop() {
        // the harness belongs to the JVM; its shutdown hook stops it
    }
}
