package io.junoscommander.support.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Hands Quarkus's check of the request target over to {@link io.junoscommander.support.problem.EdgeProblems}, which makes the
 * same check ({@code new URI(target)}) and answers problem+json instead of an empty 400. Quarkus reads the switch, the system
 * property {@code vertx.disableURIValidation}, once, when its HTTP recorder class is initialised; configuration is built
 * before that, in every launch (packaged jar, image, tests), so this config source (which provides no values) is the one
 * place that sets it for every service.
 */
public final class UriValidationHandover implements ConfigSource {

    static final String PROPERTY = "vertx.disableURIValidation";

    static {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String propertyName) {
        return null;
    }

    @Override
    public String getName() {
        return "junoscommander-uri-validation-handover";
    }

    @Override
    public int getOrdinal() {
        return 1;
    }
}
