package io.junoscommander.infra.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} the real infrastructure: one harness per test JVM, started on first use on free ports and
 * stopped when the JVM exits. Services read the same variables in tests as in production.
 */
public class InfraTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(SharedInfra.harness().serviceEnvironment());
        config.putAll(InternalTokens.configuration());
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; a shutdown hook stops it
    }
}
