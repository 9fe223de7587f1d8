package io.junoscommander.lab;

import io.junoscommander.lab.cli.ConfigStore;
import io.junoscommander.lab.cli.DeviceIdentity;
import io.junoscommander.lab.fault.DeviceFaults;
import io.junoscommander.lab.fault.Fault;
import io.junoscommander.lab.fault.FaultKind;
import java.util.List;

/** One simulated device of a running lab: where to reach it, what it is, its faults and its configuration. */
public final class LabDevice {

    private final DeviceIdentity identity;
    private final Platform platform;
    private final String host;
    private final int port;
    private final String site;
    private final String username;
    private final String password;
    private final String hostKeyFingerprint;
    private final DeviceFaults faults;
    private final ConfigStore configuration;

    LabDevice(DeviceIdentity identity, Platform platform, String host, int port, String site, String username, String password,
            String hostKeyFingerprint, DeviceFaults faults, ConfigStore configuration) {
        this.identity = identity;
        this.platform = platform;
        this.host = host;
        this.port = port;
        this.site = site;
        this.username = username;
        this.password = password;
        this.hostKeyFingerprint = hostKeyFingerprint;
        this.faults = faults;
        this.configuration = configuration;
    }

    /** The device name, e.g. {@code lab-r0001}; also its initial host name. */
    public String name() {
        return identity.name();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Platform platform() {
        return platform;
    }

    /** The committed {@code system host-name} (Junos), or the name (Linux). */
    public String hostname() {
        return configuration == null ? identity.name() : configuration.activeValue("system host-name").orElse(identity.name());
    }

    public String serial() {
        return identity.serial();
    }

    public String model() {
        return identity.model();
    }

    public String osVersion() {
        return identity.osVersion();
    }

    public String site() {
        return site;
    }

    /** Inventory tags: {@code lab}, the platform and the model. */
    public List<String> tags() {
        return List.of("lab", platform.id(), identity.model());
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The host key's OpenSSH-style SHA256 fingerprint, e.g. {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        return hostKeyFingerprint;
    }

    /** Turns a fault on (replacing one of the same kind). Takes effect on the next connection or command. */
    public void setFault(Fault fault) {
        faults.set(fault);
    }

    public void clearFault(FaultKind kind) {
        faults.clear(kind);
    }

    public void clearFaults() {
        faults.clearAll();
    }

    public List<Fault> faults() {
        return faults.all();
    }

    /** The committed configuration as {@code set} lines; empty for Linux hosts. */
    public List<String> activeConfiguration() {
        return configuration == null ? List.of() : configuration.activePaths().stream().map(path -> "set " + path).toList();
    }

    /** The candidate configuration (what configuration mode edits) as {@code set} lines; empty for Linux hosts. */
    public List<String> candidateConfiguration() {
        return configuration == null ? List.of() : configuration.candidatePaths().stream().map(path -> "set " + path).toList();
    }

    /** Whether a {@code commit confirmed} waits for confirmation. */
    public boolean commitConfirmationPending() {
        return configuration != null && configuration.confirmationPending();
    }

    /** The commit history {@code show system commit} prints, most recent first; empty for Linux hosts. */
    public List<ConfigStore.CommitEntry> commitHistory() {
        return configuration == null ? List.of() : configuration.commitHistory();
    }

    @Override
    public String toString() {
        return name() + "@" + host + ":" + port;
    }
}
