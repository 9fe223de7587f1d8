package io.junoscommander.backup.redis;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.redis.RedisNodes.Address;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import io.junoscommander.support.config.RedisTls;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The Redis backup: an RDB snapshot streamed by {@code redis-cli --rdb} from a healthy replica found through Sentinel
 * (from the master only when no replica is fit), checked for the {@code REDIS} magic, stored as {@code dump.rdb}, and
 * verified by {@code redis-check-rdb}.
 */
@ApplicationScoped
public class RedisSnapshotHandler implements BackupHandler {

    public static final String OBJECT_NAME = "dump.rdb";

    private static final Logger LOG = Logger.getLogger(RedisSnapshotHandler.class);
    private static final Pattern KEYS_READ = Pattern.compile("(\\d+) keys read");
    private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(30);

    private final RedisBackupConfig config;
    private final RedisNodes nodes;
    private final RedisTls tls;

    RedisSnapshotHandler(RedisBackupConfig config, RedisNodes nodes, RedisTls tls) {
        this.config = config;
        this.nodes = nodes;
        this.tls = tls;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.REDIS;
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        SnapshotSource source = findSource();
        long keys = nodes.send(source.address(), config.password(), Command.DBSIZE).toLong();
        String actualRole = nodes.send(source.address(), config.password(), Command.ROLE).get(0).toString();
        Path rdb = job.workDir().resolve(OBJECT_NAME);
        long started = System.nanoTime();
        dump(source.address(), rdb, job.workDir().resolve("redis-cli.log"));
        long transferMs = (System.nanoTime() - started) / 1_000_000;
        int rdbVersion = checkMagic(rdb);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("source", source.address().toString());
        details.put("role", "slave".equals(actualRole) ? "replica" : actualRole);
        details.put("sourceReason", source.reason());
        details.put("keys", keys);
        details.put("rdbSizeBytes", Files.size(rdb));
        details.put("rdbVersion", rdbVersion);
        details.put("transferMs", transferMs);
        boolean verified = check(rdb, job.workDir().resolve("redis-check-rdb.log"), details);
        job.store(OBJECT_NAME, rdb);
        LOG.infof("Redis snapshot from %s %s: %d keys, %d bytes, verified=%s", details.get("role"), source.address(), keys,
                Files.size(rdb), verified);
        return new BackupResult(verified, null, null, null, details);
    }

    /** Asks each Sentinel in turn until one answers with the master and its replicas. */
    SnapshotSource findSource() throws IOException {
        List<String> failures = new ArrayList<>();
        for (String node : config.sentinelNodes()) {
            Address sentinel = Address.parse(node);
            try {
                Response master = nodes.sendToSentinel(sentinel, config.password(), Command.SENTINEL, "GET-MASTER-ADDR-BY-NAME",
                        config.master());
                if (master == null || master.size() < 2) {
                    failures.add(sentinel + ": does not know master " + config.master());
                    continue;
                }
                Address masterAddress = new Address(master.get(0).toString(), master.get(1).toInteger());
                Response replicas = nodes.sendToSentinel(sentinel, config.password(), Command.SENTINEL, "REPLICAS", config.master());
                return SnapshotSource.choose(RedisNodes.records(replicas), masterAddress, sentinel);
            } catch (IOException | RuntimeException e) {
                failures.add(sentinel + ": " + e.getMessage());
            }
        }
        throw new IOException("no Sentinel answered for master " + config.master() + ": " + String.join("; ", failures));
    }

    /** {@code redis-cli --rdb}: the password goes through {@code REDISCLI_AUTH} in its environment, never its arguments. */
    private void dump(Address source, Path rdb, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RedisBinaries.require("redis-cli", "redis-tools").toString(), "-h", source.host(),
                "-p", Integer.toString(source.port())));
        command.addAll(tls.redisCliArguments());
        command.addAll(List.of("--rdb", rdb.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("REDISCLI_AUTH");
        config.password().filter(p -> !p.isEmpty()).ifPresent(password -> builder.environment().put("REDISCLI_AUTH", password));
        Process process = builder.start();
        if (!process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("redis-cli --rdb from " + source + " did not finish within " + config.timeout()
                    + " (BACKUP_REDIS_TIMEOUT)");
        }
        if (process.exitValue() != 0) {
            throw new IOException("redis-cli --rdb from " + source + " failed (exit " + process.exitValue() + "): " + tail(log));
        }
    }

    /** An RDB starts with {@code REDIS} and four digits of format version; returns the version. */
    static int checkMagic(Path rdb) throws IOException {
        if (!Files.isRegularFile(rdb) || Files.size(rdb) == 0) {
            throw new IOException("the Redis snapshot is empty");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(rdb)) {
            head = in.readNBytes(9);
        }
        String text = new String(head, StandardCharsets.US_ASCII);
        if (head.length < 9 || !text.startsWith("REDIS") || !text.substring(5).chars().allMatch(Character::isDigit)) {
            throw new IOException("the Redis snapshot does not start with the RDB magic 'REDIS' and a version");
        }
        return Integer.parseInt(text.substring(5));
    }

    /**
     * {@code redis-check-rdb}: a corrupt snapshot fails the run; a missing checker leaves it stored but unverified.
     */
    private static boolean check(Path rdb, Path log, Map<String, Object> details) throws IOException, InterruptedException {
        Optional<Path> checker = RedisBinaries.find("redis-check-rdb");
        if (checker.isEmpty()) {
            details.put("check", "redis-check-rdb not installed (Debian package redis-tools): snapshot not verified");
            return false;
        }
        Process process = new ProcessBuilder(checker.get().toString(), rdb.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("redis-check-rdb did not finish within " + CHECK_TIMEOUT);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 || !output.contains("RDB looks OK")) {
            throw new IOException("redis-check-rdb rejects the snapshot: " + tail(log));
        }
        Matcher keysRead = KEYS_READ.matcher(output);
        if (keysRead.find()) {
            details.put("rdbKeys", Long.parseLong(keysRead.group(1)));
        }
        details.put("check", "redis-check-rdb: RDB looks OK");
        return true;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())).strip();
    }
}
