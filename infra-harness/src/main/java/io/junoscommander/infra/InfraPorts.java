package io.junoscommander.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The loopback ports of one harness: PostgreSQL, PgBouncer, three Redis servers (master first) and three Sentinels. */
public record InfraPorts(int postgres, int pgBouncer, List<Integer> redis, List<Integer> sentinels) {

    /** The fixed ports the local stack uses unless told otherwise. */
    public static InfraPorts localStackDefaults() {
        return new InfraPorts(15432, 16432, List.of(16379, 16380, 16381), List.of(26379, 26380, 26381));
    }

    /** Ports the kernel reports free right now; tests use these so parallel runs never collide. */
    public static InfraPorts free() {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return new InfraPorts(ports.get(0), ports.get(1), ports.subList(2, 5), ports.subList(5, 8));
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a probe socket cannot lose anything
                }
            }
        }
    }

    public InfraPorts {
        redis = List.copyOf(redis);
        sentinels = List.copyOf(sentinels);
        if (redis.size() != 3 || sentinels.size() != 3) {
            throw new IllegalArgumentException("three Redis servers and three Sentinels are required");
        }
    }

    void store(Properties properties) {
        properties.setProperty("port.postgres", Integer.toString(postgres));
        properties.setProperty("port.pgbouncer", Integer.toString(pgBouncer));
        properties.setProperty("port.redis", join(redis));
        properties.setProperty("port.sentinels", join(sentinels));
    }

    static InfraPorts load(Properties properties) {
        return new InfraPorts(Integer.parseInt(properties.getProperty("port.postgres")),
                Integer.parseInt(properties.getProperty("port.pgbouncer")), split(properties.getProperty("port.redis")),
                split(properties.getProperty("port.sentinels")));
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private static List<Integer> split(String ports) {
        return java.util.Arrays.stream(ports.split(",")).map(Integer::parseInt).toList();
    }
}
