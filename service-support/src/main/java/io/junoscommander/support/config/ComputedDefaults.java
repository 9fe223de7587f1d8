package io.junoscommander.support.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Defaults that need code rather than a properties line: the instance id, which logs (JSON field) and the instance
 * registry both read. The lowest ordinal, so any environment variable or property wins.
 */
public final class ComputedDefaults implements ConfigSource {

    static final String INSTANCE_ID = "junoscommander.instance-id";

    private final Map<String, String> values = Map.of(INSTANCE_ID, instanceId());

    private static String instanceId() {
        String explicit = System.getenv("INSTANCE_ID");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        // in Kubernetes the pod name is unique and what operators search logs for
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null && System.getenv("HOSTNAME") != null) {
            return System.getenv("HOSTNAME");
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "junoscommander-computed-defaults";
    }

    @Override
    public int getOrdinal() {
        return 10;
    }
}
