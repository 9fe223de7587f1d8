package io.junoscommander.lab;

import io.junoscommander.lab.fault.Fault;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to start a {@link DeviceLab}. Build with {@link #builder()}; every setting has a default that suits a unit test: one
 * Junos device on a free loopback port, login {@code lab}/{@code lab}, no admin port.
 */
public final class LabConfig {

    private final int junosDevices;
    private final int linuxDevices;
    private final String host;
    private final int basePort;
    private final String username;
    private final String password;
    private final List<PublicKey> authorizedKeys;
    private final Path hostKeyFile;
    private final Set<String> devicesWithOwnHostKey;
    private final Set<String> extraHostKeyTypes;
    private final long minuteMillis;
    private final Map<String, List<Fault>> initialFaults;
    private final int adminPort;
    private final int ioThreads;

    private LabConfig(Builder builder) {
        this.junosDevices = builder.junosDevices;
        this.linuxDevices = builder.linuxDevices;
        this.host = builder.host;
        this.basePort = builder.basePort;
        this.username = builder.username;
        this.password = builder.password;
        this.authorizedKeys = List.copyOf(builder.authorizedKeys);
        this.hostKeyFile = builder.hostKeyFile;
        this.devicesWithOwnHostKey = Set.copyOf(builder.devicesWithOwnHostKey);
        this.extraHostKeyTypes = Set.copyOf(builder.extraHostKeyTypes);
        this.minuteMillis = builder.minuteMillis;
        Map<String, List<Fault>> faults = new LinkedHashMap<>();
        builder.initialFaults.forEach((device, list) -> faults.put(device, List.copyOf(list)));
        this.initialFaults = Map.copyOf(faults);
        this.adminPort = builder.adminPort;
        this.ioThreads = builder.ioThreads;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of Junos devices, named {@code lab-r0001}, {@code lab-r0002}, ... */
    public int junosDevices() {
        return junosDevices;
    }

    /** Number of Linux hosts, named {@code lab-h0001}, ... */
    public int linuxDevices() {
        return linuxDevices;
    }

    public String host() {
        return host;
    }

    /** First port; device n (Junos first, then Linux) listens on basePort + n - 1. 0 gives every device a free port. */
    public int basePort() {
        return basePort;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public List<PublicKey> authorizedKeys() {
        return authorizedKeys;
    }

    /** Where the lab's host key is kept across runs; null for a fresh key per run. */
    public Path hostKeyFile() {
        return hostKeyFile;
    }

    /** Devices that present their own host key instead of the lab's shared one. */
    public Set<String> devicesWithOwnHostKey() {
        return devicesWithOwnHostKey;
    }

    /**
     * Host key types ({@code ed25519}, {@code rsa}) the shared devices present besides the ECDSA P-256 key, as a Junos device
     * does; the client's preference order then picks one. Empty by default (ECDSA only).
     */
    public Set<String> extraHostKeyTypes() {
        return extraHostKeyTypes;
    }

    /** Length of a "minute" for {@code commit confirmed N}; tests shorten it. */
    public long minuteMillis() {
        return minuteMillis;
    }

    public Map<String, List<Fault>> initialFaults() {
        return initialFaults;
    }

    /** Port of the admin HTTP server: -1 for none, 0 for a free port. */
    public int adminPort() {
        return adminPort;
    }

    /** Size of the NIO2 thread pool shared by all device servers. */
    public int ioThreads() {
        return ioThreads;
    }

    /** Builder of {@link LabConfig}. */
    public static final class Builder {
        private int junosDevices = 1;
        private int linuxDevices;
        private String host = "127.0.0.1";
        private int basePort;
        private String username = "lab";
        private String password = "lab";
        private final List<PublicKey> authorizedKeys = new ArrayList<>();
        private Path hostKeyFile;
        private final Set<String> devicesWithOwnHostKey = new LinkedHashSet<>();
        private final Set<String> extraHostKeyTypes = new LinkedHashSet<>();
        private long minuteMillis = 60_000;
        private final Map<String, List<Fault>> initialFaults = new LinkedHashMap<>();
        private int adminPort = -1;
        private int ioThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

        private Builder() {
        }

        /** Number of Junos devices (default 1). */
        public Builder devices(int count) {
            this.junosDevices = requireNotNegative(count, "devices");
            return this;
        }

        /** Number of Linux-profile hosts (default 0). */
        public Builder linuxDevices(int count) {
            this.linuxDevices = requireNotNegative(count, "linuxDevices");
            return this;
        }

        /** Only this platform: {@code devices(n)} of Junos or Linux hosts. */
        public Builder platform(Platform platform, int count) {
            if (platform == Platform.JUNOS) {
                junosDevices = requireNotNegative(count, "devices");
            } else {
                linuxDevices = requireNotNegative(count, "devices");
            }
            return this;
        }

        public Builder host(String listenHost) {
            this.host = Objects.requireNonNull(listenHost);
            return this;
        }

        public Builder basePort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("basePort out of range: " + port);
            }
            this.basePort = port;
            return this;
        }

        public Builder credentials(String user, String secret) {
            this.username = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(secret);
            return this;
        }

        /** Enables public-key login for the lab user with this key (may be called several times). */
        public Builder authorizedKey(PublicKey key) {
            authorizedKeys.add(Objects.requireNonNull(key));
            return this;
        }

        public Builder hostKeyFile(Path file) {
            this.hostKeyFile = file;
            return this;
        }

        /** This device gets a host key of its own, e.g. to test a host-key mismatch. */
        public Builder ownHostKey(String deviceName) {
            devicesWithOwnHostKey.add(Objects.requireNonNull(deviceName));
            return this;
        }

        /** The shared devices also present a host key of this type: {@code ed25519} or {@code rsa}. */
        public Builder extraHostKey(String type) {
            if (!type.equals("ed25519") && !type.equals("rsa")) {
                throw new IllegalArgumentException("extra host key type ed25519 or rsa, got " + type);
            }
            extraHostKeyTypes.add(type);
            return this;
        }

        public Builder minuteMillis(long millis) {
            if (millis < 1) {
                throw new IllegalArgumentException("minuteMillis must be positive");
            }
            this.minuteMillis = millis;
            return this;
        }

        /** A fault the device has from the start. */
        public Builder fault(String deviceName, Fault fault) {
            initialFaults.computeIfAbsent(Objects.requireNonNull(deviceName), name -> new ArrayList<>()).add(fault);
            return this;
        }

        /** Starts the admin HTTP server on this port (0 = free port). */
        public Builder adminPort(int port) {
            if (port < -1 || port > 65_535) {
                throw new IllegalArgumentException("adminPort out of range: " + port);
            }
            this.adminPort = port;
            return this;
        }

        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be positive");
            }
            this.ioThreads = threads;
            return this;
        }

        public LabConfig build() {
            return new LabConfig(this);
        }

        private static int requireNotNegative(int value, String what) {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must not be negative: " + value);
            }
            return value;
        }
    }
}
