import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * CPU per new SSH session by algorithm (run by bench/ssh-cost.sh): the device lab in its own JVM presents ECDSA P-256,
 * ed25519 and RSA 3072 host keys (as a Junos device does); this JVM is the client, a MINA SSHD client like the device
 * service's, offering one algorithm of each kind at a time. Each session is what a cold fan-out does per device: connect,
 * key exchange, password login, one exec channel with {@code show version}, close. Prints the CPU per session of the
 * client (this JVM) and of the lab, and both as a ratio to the first row (what the device service offered first before
 * issue 13) measured in the same run: the ratios hold on a loaded machine, the absolute figures less so. The last row is
 * what the device service proposes first since (device.ssh.SshAlgorithms).
 */
public final class SshCostBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One proposal: the only key exchange, host key, cipher and MAC the client offers. */
    private record AlgorithmSet(String label, String kex, String hostKey, String cipher, String mac) {
    }

    private record Target(String host, int port) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int sessions = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String gcm = "aes128-gcm@openssh.com";
        String etm = "hmac-sha2-256-etm@openssh.com";
        List<AlgorithmSet> sets = List.of(
                new AlgorithmSet("before (issue 13)", "curve25519-sha256", "ecdsa-sha2-nistp256", "chacha20-poly1305@openssh.com", etm),
                new AlgorithmSet("kex", "curve25519-sha256", "ecdsa-sha2-nistp256", gcm, etm),
                new AlgorithmSet("kex", "ecdh-sha2-nistp256", "ecdsa-sha2-nistp256", gcm, etm),
                new AlgorithmSet("kex", "ecdh-sha2-nistp384", "ecdsa-sha2-nistp256", gcm, etm),
                new AlgorithmSet("kex", "ecdh-sha2-nistp521", "ecdsa-sha2-nistp256", gcm, etm),
                new AlgorithmSet("kex", "diffie-hellman-group14-sha256", "ecdsa-sha2-nistp256", gcm, etm),
                new AlgorithmSet("host key", "curve25519-sha256", "ssh-ed25519", gcm, etm),
                new AlgorithmSet("host key", "curve25519-sha256", "rsa-sha2-256", gcm, etm),
                new AlgorithmSet("host key", "curve25519-sha256", "rsa-sha2-512", gcm, etm),
                new AlgorithmSet("cipher", "curve25519-sha256", "ecdsa-sha2-nistp256", "aes256-gcm@openssh.com", etm),
                new AlgorithmSet("cipher+mac", "curve25519-sha256", "ecdsa-sha2-nistp256", "aes128-ctr", etm),
                new AlgorithmSet("cipher+mac", "curve25519-sha256", "ecdsa-sha2-nistp256", "aes256-ctr", etm),
                new AlgorithmSet("cipher+mac", "curve25519-sha256", "ecdsa-sha2-nistp256", "aes128-ctr", "hmac-sha2-512-etm@openssh.com"),
                new AlgorithmSet("cipher+mac", "curve25519-sha256", "ecdsa-sha2-nistp256", "aes128-ctr", "hmac-sha2-256"),
                new AlgorithmSet("before, again", "curve25519-sha256", "ecdsa-sha2-nistp256", "chacha20-poly1305@openssh.com", etm),
                new AlgorithmSet("after (issue 13)", "curve25519-sha256", "ssh-ed25519", gcm, etm));

        if (args.length > 4) {
            // only the rows whose algorithms match, and the first (the reference of the ratios)
            java.util.regex.Pattern only = java.util.regex.Pattern.compile(args[4]);
            List<AlgorithmSet> chosen = new ArrayList<>(List.of(sets.get(0)));
            sets.stream().skip(1).filter(set -> only.matcher(set.toString()).find()).forEach(chosen::add);
            sets = chosen;
        }
        Path work = Files.createTempDirectory(Path.of("/tmp"), "jc-ssh-cost");
        Path inventory = work.resolve("inventory.json");
        Process lab = new ProcessBuilder("java", "-Xmx512m", "-jar", jar(root.resolve("device-lab/target"), "device-lab-"),
                "--devices", Integer.toString(sessions), "--base-port", "0", "--extra-host-keys", "ed25519,rsa",
                "--inventory", inventory.toString()).redirectErrorStream(true).redirectOutput(work.resolve("lab.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!Files.exists(inventory)) {
                if (System.nanoTime() > deadline || !lab.isAlive()) {
                    throw new IllegalStateException("the lab did not start; see " + work.resolve("lab.log"));
                }
                Thread.sleep(100);
            }
            Thread.sleep(500);
            List<Target> targets = new ArrayList<>();
            for (JsonNode device : JSON.readTree(Files.readString(inventory))) {
                targets.add(new Target(device.get("host").asText(), device.get("port").asInt()));
            }
            System.out.printf("CPU per new SSH session by algorithm: %d sessions per measurement (connect, key exchange, password,"
                    + " show version, close), concurrency %d, best of %d rounds; load average %s%n", sessions, concurrency, rounds,
                    loadAverage());
            // JIT warm-up: every set once, unmeasured, so no set pays for the compilation of code all of them share
            for (AlgorithmSet set : sets) {
                run(set, targets.subList(0, Math.min(targets.size(), Math.max(50, sessions / 2))), concurrency);
            }
            double[][] best = new double[sets.size()][2];
            for (double[] row : best) {
                row[0] = Double.MAX_VALUE;
                row[1] = Double.MAX_VALUE;
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < sets.size(); i++) {
                    double clientBefore = processCpuSeconds();
                    double labBefore = cpuSeconds(lab.pid());
                    run(sets.get(i), targets, concurrency);
                    best[i][0] = Math.min(best[i][0], (processCpuSeconds() - clientBefore) * 1000 / sessions);
                    best[i][1] = Math.min(best[i][1], (cpuSeconds(lab.pid()) - labBefore) * 1000 / sessions);
                }
            }
            System.out.printf("%-18s %-30s %-20s %-30s %-30s %9s %9s %8s %8s%n", "what", "key exchange", "host key", "cipher",
                    "mac (unused with aead)", "client ms", "lab ms", "client x", "lab x");
            for (int i = 0; i < sets.size(); i++) {
                AlgorithmSet set = sets.get(i);
                System.out.printf("%-18s %-30s %-20s %-30s %-30s %9.2f %9.2f %8.2f %8.2f%n", set.label(), set.kex(), set.hostKey(),
                        set.cipher(), set.mac(), best[i][0], best[i][1], best[i][0] / best[0][0], best[i][1] / best[0][1]);
            }
            System.out.printf("(x: CPU per session relative to the first row, same run; load average after: %s)%n", loadAverage());
        } finally {
            lab.destroy();
            lab.waitFor();
        }
    }

    /** One session per target, {@code concurrency} at once, with a client that offers only the set's algorithms. */
    private static void run(AlgorithmSet set, List<Target> targets, int concurrency) throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.setKeyExchangeFactories(only(client.getKeyExchangeFactories(), set.kex()));
        client.setSignatureFactories(only(client.getSignatureFactories(), set.hostKey()));
        client.setCipherFactories(only(client.getCipherFactories(), set.cipher()));
        client.setMacFactories(only(client.getMacFactories(), set.mac()));
        // accepts every key without a word (SSHD's accept-all verifier logs a warning per session)
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        AtomicInteger failures = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Target target : targets) {
                done.add(threads.submit(() -> {
                    try (ClientSession session = client.connect("lab", target.host(), target.port()).verify(Duration.ofSeconds(30))
                            .getSession()) {
                        session.addPasswordIdentity("lab");
                        session.auth().verify(Duration.ofSeconds(30));
                        try (ChannelExec channel = session.createExecChannel("show version")) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            channel.setOut(out);
                            channel.setErr(out);
                            channel.open().verify(Duration.ofSeconds(30));
                            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(30));
                            if (!out.toString().contains("Junos")) {
                                failures.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        if (failures.incrementAndGet() == 1) {
                            System.err.println(set + ": " + e);
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
            client.stop();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(set + ": " + failures.get() + " sessions failed");
        }
    }

    private static <T extends NamedResource> List<T> only(List<T> factories, String name) {
        List<T> chosen = factories.stream().filter(factory -> factory.getName().equals(name)).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(name + " is not among " + NamedResource.getNames(factories));
        }
        return chosen;
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** User plus system CPU of a process from /proc, in seconds (Linux clock ticks are 1/100 s). */
    private static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private static String loadAverage() throws Exception {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private static String jar(Path folder, String prefix) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(Path::toString).filter(name -> name.contains(prefix) && name.endsWith(".jar") && !name.contains("original"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + folder + "; build first"));
        }
    }
}
