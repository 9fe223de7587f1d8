package io.junoscommander.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.backup.postgres.WalSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The recovery point when the primary dies: a client commits one row per transaction (synchronous_commit on) while
 * PostgreSQL is killed with SIGKILL; the archive as it was at that moment (nothing the restarted server streams later) is
 * restored to its latest state, and the rows the client saw committed are looked for.
 */
final class KillTest {

    private KillTest() {
    }

    static void run(WalSource walSource, String slot, boolean synchronous, Logger log) throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        String user = WalTesting.harness().settings().user();
        WalTesting.harness().queryAsSuperuser("DROP TABLE IF EXISTS kill_probe; CREATE TABLE kill_probe (id bigint PRIMARY KEY);"
                + " ALTER TABLE kill_probe OWNER TO " + user);
        Path root = Files.createTempDirectory("jc-kill");
        String firstSegment = ScratchRestore.baseBackup(WalTesting.harness(), root);
        WalTesting.Writer writer = new WalTesting.Writer("kill_probe");
        Thread writing = new Thread(writer, "kill-test-writer");
        writing.start();
        double maxLagBytes = 0;
        long loadEnd = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < loadEnd) {
            Double lag = WalTesting.walStatus().getObject("lagBytes", Double.class);
            maxLagBytes = Math.max(maxLagBytes, lag == null ? 0 : lag);
            Thread.sleep(200);
        }
        long killedAt = System.currentTimeMillis();
        WalTesting.harness().killPostgres();
        writing.join(30_000);
        writer.stop();
        assertThat(writer.ended()).as("the writer stops when the server dies").isNotNull();
        List<WalTesting.Commit> commits = List.copyOf(writer.commits);
        assertThat(commits).hasSizeGreaterThan(20);
        // what the receiver had when the server died is in its directory already; let its last write land
        Thread.sleep(500);
        Set<Long> restored = new HashSet<>();
        try (ScratchRestore restore = ScratchRestore.restore(root, walSource, firstSegment, null)) {
            for (String id : restore.query(WalTesting.harness().settings().database(), "SELECT id FROM kill_probe")) {
                restored.add(Long.parseLong(id.strip()));
            }
        } finally {
            WalTesting.harness().startPostgres();
        }
        List<WalTesting.Commit> missing = commits.stream().filter(commit -> !restored.contains(commit.id())).toList();
        long missingMs = missing.isEmpty() ? 0 : killedAt - missing.get(0).committedAtMillis();
        log.infof("kill test (%s): %d transactions committed in %d ms, %d restored, %d committed ones missing (the last %d ms before"
                + " the kill); receiver lag during the load up to %.0f bytes", synchronous ? "synchronous" : "asynchronous", commits.size(),
                commits.get(commits.size() - 1).committedAtMillis() - commits.get(0).committedAtMillis(), restored.size(), missing.size(),
                missingMs, maxLagBytes);
        if (synchronous) {
            assertThat(missing).as("synchronous mode loses no committed transaction").isEmpty();
        } else {
            assertThat(missing).as("every transaction committed before the last second").allMatch(commit -> commit.committedAtMillis()
                    > killedAt - 1000);
        }
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(90));
    }
}
