package io.junoscommander.backup.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The recovery point when PostgreSQL dies: after a full backup taken through the API, a client commits one row per
 * transaction (synchronous_commit on) while PostgreSQL is killed with SIGKILL and started again (crash recovery). Once the
 * receiver archived a segment switched after the restart, the service restores the backup to its latest state through
 * its own API, with the archived WAL its {@code WalSource} stages, and the rows the client saw committed are looked for.
 * The restore needs the service's database (it records restores there), so it runs after the restart: the archive then
 * also holds what the restarted server streamed of the WAL it had written before the kill.
 */
final class KillTest {

    private KillTest() {
    }

    static void run(boolean synchronous, Logger log) throws Exception {
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(60));
        String user = WalTesting.harness().settings().user();
        WalTesting.harness().queryAsSuperuser("DROP TABLE IF EXISTS kill_probe; CREATE TABLE kill_probe (id bigint PRIMARY KEY);"
                + " ALTER TABLE kill_probe OWNER TO " + user);
        JsonPath backup = WalTesting.fullBackup();
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

        WalTesting.harness().startPostgres();
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(90));
        // the segment closed now holds the end of the WAL written before the kill: once it is archived, so is all of that
        String switched = WalTesting.switchWal();
        WalTesting.awaitArchived(switched, Duration.ofSeconds(60));
        Set<Long> restored = new HashSet<>();
        JsonPath restore;
        try (WalTesting.Restored server = WalTesting.restore(backup.getString("id"), Map.of("target", "latest"))) {
            restore = server.view;
            assertThat(restore.getInt("walSegments")).as("archived WAL staged through the WalSource").isPositive();
            for (String id : server.query("SELECT id FROM kill_probe")) {
                restored.add(Long.parseLong(id));
            }
        }
        List<WalTesting.Commit> missing = commits.stream().filter(commit -> !restored.contains(commit.id())).toList();
        long missingMs = missing.isEmpty() ? 0 : killedAt - missing.get(0).committedAtMillis();
        log.infof("kill test (%s): %d transactions acknowledged in %d ms, %d rows restored, %d acknowledged ones missing (the last %d ms"
                + " before the kill); receiver lag during the load up to %.0f bytes; restore of backup %s through the API: %d WAL segments"
                + " staged, %d ms", synchronous ? "synchronous" : "asynchronous", commits.size(),
                commits.get(commits.size() - 1).committedAtMillis() - commits.get(0).committedAtMillis(), restored.size(), missing.size(),
                missingMs, maxLagBytes, backup.getString("id"), restore.getInt("walSegments"), restore.getLong("durationMs"));
        if (synchronous) {
            assertThat(missing).as("synchronous mode loses no committed transaction").isEmpty();
        } else {
            assertThat(missing).as("every transaction committed before the last second").allMatch(commit -> commit.committedAtMillis()
                    > killedAt - 1000);
        }
        WalTesting.awaitStatus(s -> s.getBoolean("running"), Duration.ofSeconds(90));
    }
}
