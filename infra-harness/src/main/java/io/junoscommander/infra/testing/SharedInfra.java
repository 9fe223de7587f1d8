package io.junoscommander.infra.testing;

import io.junoscommander.infra.InfraHarness;
import java.nio.file.Path;

/**
 * The one harness of a test JVM, so each module pays for starting PostgreSQL, PgBouncer and Redis once. Quarkus loads
 * this class again for a test with a profile of its own; the folder of the running harness is kept in a system property
 * (one per JVM, not per class loader), so such a class attaches to it instead of starting a second one.
 */
public final class SharedInfra {

    private static final String DIRECTORY_PROPERTY = "jc.infra.shared-directory";

    private static InfraHarness harness;

    private SharedInfra() {
    }

    public static synchronized InfraHarness harness() {
        if (harness == null) {
            String running = System.getProperty(DIRECTORY_PROPERTY);
            if (running != null) {
                harness = InfraHarness.attach(Path.of(running)).orElse(null);
            }
            if (harness == null) {
                harness = InfraHarness.startForTests("tests");
                System.setProperty(DIRECTORY_PROPERTY, harness.settings().directory().toString());
            }
        }
        return harness;
    }
}
