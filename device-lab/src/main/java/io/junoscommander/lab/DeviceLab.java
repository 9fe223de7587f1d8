package io.junoscommander.lab;

import io.junoscommander.lab.admin.AdminHttpServer;
import io.junoscommander.lab.cli.ConfigStore;
import io.junoscommander.lab.cli.DeviceIdentity;
import io.junoscommander.lab.cli.JunosCli;
import io.junoscommander.lab.cli.LinuxCli;
import io.junoscommander.lab.fault.DeviceFaults;
import io.junoscommander.lab.server.DeviceServer;
import io.junoscommander.lab.server.SessionCounter;
import io.junoscommander.lab.server.SharedResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A set of simulated network devices, each a real SSH server on its own loopback port.
 *
 * <pre>{@code
 * try (DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(200).build())) {
 *     LabDevice router = lab.device("lab-r0001");
 *     ...
 * }
 * }</pre>
 */
public final class DeviceLab implements AutoCloseable {

    private static final String[] JUNOS_MODELS = {"mx204", "mx480", "qfx5120-48y", "ex4300-48t", "srx345"};
    private static final String[] JUNOS_RELEASES = {"21.4R3-S5.4", "22.4R2.8", "21.4R3-S5.4", "22.2R3.15", "21.2R3-S4.8"};
    private static final String[] SITES = {"lab-east", "lab-west"};

    private final LabConfig config;
    private final SharedResources shared;
    private final SessionCounter counter = new SessionCounter();
    private final Map<String, LabDevice> devices = new LinkedHashMap<>();
    private final List<DeviceServer> servers = new ArrayList<>();
    private AdminHttpServer admin;
    private boolean closed;

    private DeviceLab(LabConfig config) {
        this.config = config;
        this.shared = new SharedResources(config.ioThreads());
    }

    /** Starts every device (and the admin port when configured); on failure, stops what was started. */
    public static DeviceLab start(LabConfig config) throws IOException {
        DeviceLab lab = new DeviceLab(config);
        try {
            lab.startDevices();
            if (config.adminPort() >= 0) {
                lab.admin = new AdminHttpServer(lab, config.host(), config.adminPort());
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void startDevices() throws IOException {
        List<KeyPair> labKeys = new ArrayList<>();
        labKeys.add(labHostKey());
        config.extraHostKeyTypes().forEach(type -> labKeys.add(generateHostKey(type)));
        Instant bootTime = Instant.now().minusSeconds(3 * 86_400 + 4 * 3600 + 17 * 60);
        int total = config.junosDevices() + config.linuxDevices();
        for (int index = 1; index <= total; index++) {
            boolean junos = index <= config.junosDevices();
            int number = junos ? index : index - config.junosDevices();
            Platform platform = junos ? Platform.JUNOS : Platform.LINUX;
            String name = String.format(Locale.ROOT, junos ? "lab-r%04d" : "lab-h%04d", number);
            DeviceIdentity identity = junos
                    ? new DeviceIdentity(name, JUNOS_MODELS[(number - 1) % JUNOS_MODELS.length], serial("JN", number),
                            JUNOS_RELEASES[(number - 1) % JUNOS_RELEASES.length], bootTime)
                    : new DeviceIdentity(name, "kvm-debian12", serial("VM", number), "Debian 12", bootTime);
            List<KeyPair> hostKeys = config.devicesWithOwnHostKey().contains(name) ? List.of(generateHostKey()) : labKeys;
            DeviceFaults faults = new DeviceFaults();
            config.initialFaults().getOrDefault(name, List.of()).forEach(faults::set);
            ConfigStore store = junos ? new ConfigStore(initialJunosConfiguration(name, number), shared.scheduler(),
                    config.minuteMillis()) : null;
            int port = config.basePort() == 0 ? 0 : config.basePort() + index - 1;
            DeviceServer server = new DeviceServer(
                    new DeviceServer.Settings(name, config.host(), port, hostKeys, config.username(), config.password(),
                            config.authorizedKeys()),
                    shared, counter, faults,
                    (user, rows) -> junos ? new JunosCli(identity, store, faults, user, rows) : new LinuxCli(identity, user));
            servers.add(server);
            try {
                server.start();
            } catch (IOException e) {
                throw new IOException("device " + name + " cannot listen on " + config.host() + ":" + port + ": " + e.getMessage(), e);
            }
            devices.put(name, new LabDevice(identity, platform, config.host(), server.port(), SITES[(number - 1) % SITES.length],
                    config.username(), config.password(), KeyUtils.getFingerPrint(hostKeys.get(0).getPublic()), faults, store));
        }
        for (String name : config.initialFaults().keySet()) {
            if (!devices.containsKey(name)) {
                throw new IllegalArgumentException("fault for unknown device " + name);
            }
        }
    }

    /** A deterministic, serial-like string per device number. */
    private static String serial(String prefix, int number) {
        long mixed = (number * 0x9E3779B97F4A7C15L) >>> 24;
        return prefix + String.format(Locale.ROOT, "%010X", mixed & 0xFF_FFFF_FFFFL);
    }

    static List<String> initialJunosConfiguration(String name, int number) {
        String loopback = "10.255." + (number / 256) + "." + (number % 256);
        String uplink = "172.16." + (number / 128) + "." + (number % 128 * 2);
        String downlink = "172.17." + (number / 128) + "." + (number % 128 * 2);
        return List.of(
                "system host-name " + name,
                "system domain-name lab.junoscommander.test",
                "system time-zone UTC",
                "system login user lab class super-user",
                "system services ssh",
                "system services netconf ssh",
                "interfaces ge-0/0/0 description \"uplink to lab-core\"",
                "interfaces ge-0/0/0 unit 0 family inet address " + uplink + "/31",
                "interfaces ge-0/0/1 unit 0 family inet address " + downlink + "/31",
                "interfaces lo0 unit 0 family inet address " + loopback + "/32",
                "routing-options router-id " + loopback,
                "routing-options autonomous-system 65000",
                "protocols ospf area 0.0.0.0 interface ge-0/0/0.0",
                "protocols ospf area 0.0.0.0 interface lo0.0 passive",
                "snmp community public authorization read-only");
    }

    private KeyPair labHostKey() throws IOException {
        if (config.hostKeyFile() == null) {
            return generateHostKey();
        }
        // Kept in a file so a restarted standalone lab presents the same key and clients' known_hosts stay valid.
        Path file = config.hostKeyFile().toAbsolutePath();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(file);
        provider.setAlgorithm(KeyUtils.EC_ALGORITHM);
        provider.setKeySize(256);
        return provider.loadKeys(null).iterator().next();
    }

    /** An extra host key: ed25519 (through the EdDSA provider SSHD registers) or RSA 3072 (OpenSSH's default size). */
    private static KeyPair generateHostKey(String type) {
        try {
            if (type.equals("ed25519")) {
                return SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA).generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(3072);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " host key", e);
        }
    }

    /** ECDSA P-256: fast, and unlike ed25519 it needs no extra library on either side. */
    private static KeyPair generateHostKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without EC key support", e);
        }
    }

    public LabConfig config() {
        return config;
    }

    /** All devices: Junos ones first, then Linux hosts, in name order. */
    public List<LabDevice> devices() {
        return List.copyOf(devices.values());
    }

    /** @throws NoSuchElementException for an unknown name */
    public LabDevice device(String name) {
        LabDevice device = devices.get(name);
        if (device == null) {
            throw new NoSuchElementException("no lab device named " + name);
        }
        return device;
    }

    public LabStats stats() {
        SessionCounter.Counts lab = counter.lab();
        Map<String, LabStats.SessionCounts> perDevice = new LinkedHashMap<>();
        counter.devices().forEach((name, counts) ->
                perDevice.put(name, new LabStats.SessionCounts(counts.open(), counts.maxConcurrent(), counts.total())));
        return new LabStats(lab.open(), lab.maxConcurrent(), lab.total(), Collections.unmodifiableMap(perDevice));
    }

    /** Starts a new measurement: maxima drop to the sessions open now, totals to zero. */
    public void resetStats() {
        counter.reset();
    }

    /** The admin HTTP port, or -1 when the lab runs without one. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** The inventory the local stack imports: a JSON array with one object per device. */
    public String inventoryJson() {
        List<Object> entries = new ArrayList<>();
        for (LabDevice device : devices.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", device.name());
            entry.put("host", device.host());
            entry.put("port", device.port());
            entry.put("platform", device.platform().id());
            entry.put("site", device.site());
            entry.put("tags", device.tags());
            entry.put("username", device.username());
            entry.put("password", device.password());
            entry.put("hostname", device.hostname());
            entry.put("model", device.model());
            entry.put("serial", device.serial());
            entries.add(entry);
        }
        StringBuilder out = new StringBuilder("[\n");
        for (int i = 0; i < entries.size(); i++) {
            out.append("  ").append(Json.write(entries.get(i))).append(i + 1 < entries.size() ? ",\n" : "\n");
        }
        return out.append("]\n").toString();
    }

    /** Writes {@link #inventoryJson()} atomically (a temporary file moved into place). */
    public void writeInventory(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temporary, inventoryJson(), StandardCharsets.UTF_8);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Stops the admin port, every device server and the shared threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close();
        }
        List<IOException> failures = new ArrayList<>();
        for (DeviceServer server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                failures.add(e);
            }
        }
        shared.close();
        if (!failures.isEmpty()) {
            throw new UncheckedIOException("some device servers did not stop cleanly", failures.get(0));
        }
    }
}
