package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The local overlay's PgBouncer in front of its PostgreSQL, both from their rendered start scripts, with the Debian
 * binaries the images hold, on the ports and the host name the pods use: in a private network and mount namespace
 * ({@code unshare}), so the fixed ports, {@code /tmp} and the name {@code postgresql} are the test's own.
 */
class LocalPgBouncerScriptTest {

    @Test
    void theServicesUserLogsInThroughPgBouncerInTransactionModeAndAWrongPasswordIsRefused() throws Exception {
        try (PodScripts pods = PodScripts.of("pgbouncer-behind-postgresql.sh", "postgresql", "pgbouncer")) {
            Path volume = Files.createDirectory(pods.work().resolve("volume"));
            Files.setOwner(volume, volume.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));

            String output = pods.run("PostgreSQL and PgBouncer start scripts");

            assertThat(output).as(() -> output + pods.log("postgresql.log") + pods.log("pgbouncer.log"))
                    .contains("check server: junoscommander@5432")
                    .contains("check pool mode: pool_mode = transaction")
                    .containsPattern("check wrong password: .*FATAL: +SASL authentication failed");
        }
    }
}
