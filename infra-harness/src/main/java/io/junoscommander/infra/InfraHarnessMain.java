package io.junoscommander.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line of the harness for the local stack:
 *
 * <pre>
 * start  --dir DIR [--env-file FILE] [--postgres-port N] [--pgbouncer-port N] [--redis-ports A,B,C] [--sentinel-ports A,B,C]
 * stop   --dir DIR
 * status --dir DIR
 * </pre>
 *
 * {@code start} writes the services' environment (the README's variable names) to the env file.
 */
public final class InfraHarnessMain {

    private InfraHarnessMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            usage();
            return;
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        String dir = options.get("dir");
        if (dir == null) {
            usage();
            return;
        }
        Path directory = Path.of(dir).toAbsolutePath();
        try {
            switch (args[0]) {
                case "start" -> start(directory, options);
                case "stop" -> InfraHarness.attach(directory).ifPresentOrElse(harness -> {
                    harness.close();
                    System.out.println("infrastructure stopped");
                }, () -> System.out.println("no infrastructure in " + directory));
                case "status" -> InfraHarness.attach(directory).ifPresentOrElse(harness -> harness.status().forEach(System.out::println),
                        () -> System.out.println("no infrastructure in " + directory));
                default -> usage();
            }
        } catch (DebianBinaries.MissingBinaryException e) {
            System.err.println("infra harness: " + e.getMessage());
            System.exit(3);
        } catch (RuntimeException e) {
            System.err.println("infra harness: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void start(Path directory, Map<String, String> options) throws IOException {
        InfraPorts defaults = InfraPorts.localStackDefaults();
        InfraPorts ports = new InfraPorts(intOption(options, "postgres-port", defaults.postgres()),
                intOption(options, "pgbouncer-port", defaults.pgBouncer()), listOption(options, "redis-ports", defaults.redis()),
                listOption(options, "sentinel-ports", defaults.sentinels()));
        InfraHarness harness = InfraHarness.start(InfraSettings.forLocalStack(directory, ports));
        harness.status().forEach(System.out::println);
        String envFile = options.get("env-file");
        if (envFile != null) {
            StringBuilder text = new StringBuilder();
            harness.serviceEnvironment().forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
            Path file = Path.of(envFile);
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions
                    .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static int intOption(Map<String, String> options, String name, int fallback) {
        return options.containsKey(name) ? Integer.parseInt(options.get(name)) : fallback;
    }

    private static List<Integer> listOption(Map<String, String> options, String name, List<Integer> fallback) {
        return options.containsKey(name) ? Arrays.stream(options.get(name).split(",")).map(Integer::parseInt).toList() : fallback;
    }

    private static void usage() {
        System.err.println("usage: InfraHarnessMain start|stop|status --dir DIR [--env-file FILE] [--postgres-port N] "
                + "[--pgbouncer-port N] [--redis-ports A,B,C] [--sentinel-ports A,B,C]");
        System.exit(2);
    }
}
