package io.junoscommander.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@code BACKUP_WAL_SYNCHRONOUS=true} with the receiver listed in {@code synchronous_standby_names} (what an operator sets on
 * the server; the backup role cannot): a commit returns only once the receiver flushed it, so a killed primary loses none.
 */
@QuarkusTest
@TestProfile(WalSynchronousTest.Synchronous.class)
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(BackupTestResource.class)
class WalSynchronousTest {

    private static final Logger LOG = Logger.getLogger(WalSynchronousTest.class);
    private static final String SLOT = "jc_backup_wal";

    /** The receiver runs with --synchronous. */
    public static class Synchronous implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("junoscommander.backup.wal.synchronous", "true");
        }
    }

    @Test
    void latestStateRestoreAfterKillingPostgresMidLoadHasEveryCommittedTransaction() throws Exception {
        WalTesting.harness().setPostgresParameter("synchronous_standby_names", SLOT);
        try {
            JsonPath status = WalTesting.awaitStatus(s -> s.getBoolean("running") && s.getBoolean("synchronous"), Duration.ofSeconds(60));
            assertThat(status.getString("syncState")).isEqualTo("sync");
            assertThat(status.getBoolean("synchronousConfigured")).isTrue();
            KillTest.run(true, LOG);
        } finally {
            // left set, every later commit with synchronous_commit on would wait for this receiver
            WalTesting.harness().setPostgresParameter("synchronous_standby_names", null);
        }
    }
}
