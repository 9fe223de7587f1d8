package io.junoscommander.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The harness's Redis: a master and two replicas, watched by three Sentinels that fail over when the master dies. Each
 * server and Sentinel keeps its configuration, pid file and log in a folder of its own.
 */
final class RedisSentinelServers {

    private final InfraSettings settings;

    RedisSentinelServers(InfraSettings settings) {
        this.settings = settings;
    }

    /** Every server, then every Sentinel, then waits for the Sentinels to agree. */
    void startAll() {
        for (int port : settings.ports().redis()) {
            startRedis(port);
        }
        for (int port : settings.ports().sentinels()) {
            startSentinel(port);
        }
        awaitSentinels();
    }

    Path redisPidFile(int port) {
        return settings.redisDir(port).resolve("redis.pid");
    }

    Path sentinelPidFile(int port) {
        return settings.sentinelDir(port).resolve("sentinel.pid");
    }

    /** Starts the Redis server on {@code port} (again); after a failover Sentinel turns a returning old master into a replica. */
    void startRedis(int port) {
        Path dir = settings.redisDir(port);
        Path pidFile = redisPidFile(port);
        if (HarnessFiles.runs(pidFile)) {
            return;
        }
        Path conf = dir.resolve("redis.conf");
        if (!Files.exists(conf)) {
            int master = settings.ports().redis().get(0);
            StringBuilder text = new StringBuilder();
            text.append("bind 127.0.0.1\n").append(listenConfig(port)).append("dir ").append(dir).append("\npidfile ").append(pidFile)
                    .append("\ndaemonize no\nprotected-mode no\nlogfile \"\"\nreplica-announce-ip 127.0.0.1\n");
            // without persistence a restarted master could be promoted empty; the local stack keeps its data
            text.append(settings.durable() ? "save 300 1\nappendonly yes\n" : "save \"\"\nappendonly no\n");
            if (port != master) {
                text.append("replicaof 127.0.0.1 ").append(master).append('\n');
            }
            HarnessFiles.write(dir, conf, text.toString());
        }
        Commands.spawn(List.of(DebianBinaries.require("redis-server", "redis-server").toString(), conf.toString()),
                dir.resolve("redis.log"));
        HarnessFiles.await("Redis on port " + port, () -> "PONG".equals(cli(port, "PING")));
    }

    private void startSentinel(int port) {
        Path dir = settings.sentinelDir(port);
        Path pidFile = sentinelPidFile(port);
        if (HarnessFiles.runs(pidFile)) {
            return;
        }
        // Sentinel rewrites its own file at runtime (known replicas, peers, current master): each gets a writable copy,
        // written once so a restart resumes from what it learned
        Path conf = dir.resolve("sentinel.conf");
        if (!Files.exists(conf)) {
            HarnessFiles.write(dir, conf, "bind 127.0.0.1\n" + listenConfig(port) + """
                    dir %s
                    pidfile %s
                    daemonize no
                    protected-mode no
                    logfile ""
                    sentinel announce-ip 127.0.0.1
                    sentinel monitor %s 127.0.0.1 %d 2
                    sentinel down-after-milliseconds %3$s %d
                    sentinel failover-timeout %3$s %d
                    sentinel parallel-syncs %3$s 1
                    """.formatted(dir, pidFile, settings.masterName(), settings.ports().redis().get(0),
                    settings.sentinelDownAfterMillis(), settings.sentinelFailoverTimeoutMillis()));
        }
        Commands.spawn(List.of(DebianBinaries.require("redis-sentinel", "redis-sentinel").toString(), conf.toString()),
                dir.resolve("sentinel.log"));
        HarnessFiles.await("Sentinel on port " + port, () -> "PONG".equals(cli(port, "PING")));
    }

    /**
     * The listening lines of a Redis server or Sentinel. With TLS the plain port is off ({@code port 0}) and the given port
     * speaks TLS only; {@code tls-replication} makes replicas and Sentinels use TLS to reach each other too, presenting the
     * same certificate (clients are not asked for one).
     */
    private String listenConfig(int port) {
        if (!settings.tls()) {
            return "port " + port + "\n";
        }
        TlsCertificates tls = settings.tlsCertificates();
        return """
                port 0
                tls-port %d
                tls-cert-file %s
                tls-key-file %s
                tls-ca-cert-file %s
                tls-auth-clients no
                tls-replication yes
                """.formatted(port, tls.certificate(), tls.key(), tls.authority());
    }

    /** Ready means: every Sentinel sees the master, both replicas and enough peers to authorise a failover. */
    void awaitSentinels() {
        HarnessFiles.await("Sentinels to agree on master " + settings.masterName(), () -> {
            for (int port : settings.ports().sentinels()) {
                if (!cli(port, "SENTINEL", "CKQUORUM", settings.masterName()).startsWith("OK 3")) {
                    return false;
                }
                String replicas = cli(port, "SENTINEL", "REPLICAS", settings.masterName());
                if (replicas.split("master-link-status\nok", -1).length - 1 < 2) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The master's address as the first Sentinel that answers reports it, e.g. {@code 127.0.0.1:16379}. */
    String master() {
        for (int port : settings.ports().sentinels()) {
            String answer = cli(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", settings.masterName());
            String[] lines = answer.strip().split("\n");
            if (lines.length == 2) {
                return lines[0].strip() + ":" + lines[1].strip();
            }
        }
        throw new IllegalStateException("no Sentinel knows master " + settings.masterName());
    }

    /** {@code kill -9} of the current master; returns its port so a test can start it again. */
    int killMaster() {
        String master = master();
        int port = Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
        long pid = HarnessFiles.readPid(redisPidFile(port))
                .orElseThrow(() -> new IllegalStateException("no pid file for Redis on port " + port));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        HarnessFiles.awaitExit(pid);
        return port;
    }

    /** Runs a command with redis-cli against a server or Sentinel; empty when it fails. */
    String cli(int port, String... command) {
        List<String> line = new ArrayList<>(List.of(DebianBinaries.require("redis-cli", "redis-tools").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        if (settings.tls()) {
            line.addAll(List.of("--tls", "--cacert", settings.tlsCertificates().authority().toString()));
        }
        line.addAll(List.of(command));
        Commands.Result result = Commands.run(line, Duration.ofSeconds(10));
        return result.ok() ? result.output().strip() : "";
    }
}
