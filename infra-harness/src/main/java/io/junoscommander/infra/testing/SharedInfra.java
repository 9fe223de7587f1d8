package io.junoscommander.infra.testing;

import io.junoscommander.infra.InfraHarness;

/** The one harness of a test JVM, so each module pays for starting PostgreSQL, PgBouncer and Redis once. */
public final class SharedInfra {

    private static InfraHarness harness;

    private SharedInfra() {
    }

    public static synchronized InfraHarness harness() {
        if (harness == null) {
            harness = InfraHarness.startForTests("tests");
        }
        return harness;
    }
}
