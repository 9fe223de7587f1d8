package io.junoscommander.lab.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The text of the Junos operational {@code show} commands, derived from the device identity and its active configuration. */
final class JunosShowCommands {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final String BUILD = "20230607.8a3c4e2_builder_stable_12";

    private final DeviceIdentity identity;
    private final ConfigStore store;

    JunosShowCommands(DeviceIdentity identity, ConfigStore store) {
        this.identity = identity;
        this.store = store;
    }

    /** The committed {@code system host-name}, or the device name when it has none. */
    String hostName() {
        return store.activeValue("system host-name").orElse(identity.name());
    }

    String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    String version() {
        return "Hostname: " + hostName() + "\n"
                + "Model: " + identity.model() + "\n"
                + "Junos: " + identity.osVersion() + "\n"
                + "JUNOS OS Kernel 64-bit  [" + BUILD + "]\n"
                + "JUNOS OS libs [" + BUILD + "]\n"
                + "JUNOS OS runtime [" + BUILD + "]\n"
                + "JUNOS OS time zone information [" + BUILD + "]\n"
                + "JUNOS network stack and utilities [" + BUILD + "]\n"
                + "JUNOS Routing Engine [" + BUILD + "]\n";
    }

    String interfacesTerse() {
        ConfigTree tree = store.activeTree();
        StringBuilder out = new StringBuilder(row("Interface", "Admin", "Link", "Proto", "Local", "Remote"));
        for (String name : tree.childrenOf(List.of("interfaces"))) {
            List<String> physical = List.of("interfaces", name);
            String admin = tree.contains(List.of("interfaces", name, "disable")) ? "down" : "up";
            out.append(row(name, admin, "up", "", "", ""));
            for (String unit : tree.childrenOf(physical)) {
                if (!unit.startsWith("unit ")) {
                    continue;
                }
                String logical = name + "." + unit.substring("unit ".length());
                List<String> unitPath = List.of("interfaces", name, unit);
                List<String> families = tree.childrenOf(unitPath).stream().filter(s -> s.startsWith("family ")).toList();
                if (families.isEmpty()) {
                    out.append(row(logical, admin, "up", "", "", ""));
                }
                boolean first = true;
                for (String family : families) {
                    String proto = family.substring("family ".length());
                    List<String> addresses = tree.childrenOf(List.of("interfaces", name, unit, family)).stream()
                            .filter(s -> s.startsWith("address ")).map(s -> s.substring("address ".length())).toList();
                    String local = addresses.isEmpty() ? "" : addresses.get(0);
                    out.append(row(first ? logical : "", first ? admin : "", first ? "up" : "", proto, local, ""));
                    first = false;
                    for (String extra : addresses.subList(Math.min(1, addresses.size()), addresses.size())) {
                        out.append(row("", "", "", "", extra, ""));
                    }
                }
            }
        }
        return out.toString();
    }

    private static String row(String name, String admin, String link, String proto, String local, String remote) {
        return String.format(Locale.ROOT, "%-24s%-6s%-5s%-9s%-22s%s", name, admin, link, proto, local, remote).stripTrailing() + "\n";
    }

    String systemUptime() {
        Instant now = Instant.now();
        Instant booted = identity.bootTime();
        Instant committed = store.lastCommit();
        Duration up = Duration.between(booted, now);
        return "Current time: " + timestamp(now) + "\n"
                + "Time Source:  LOCAL CLOCK\n"
                + "System booted: " + timestamp(booted) + " (" + ago(up) + " ago)\n"
                + "Protocols started: " + timestamp(booted.plusSeconds(3)) + " (" + ago(up.minusSeconds(3)) + " ago)\n"
                + "Last configured: " + timestamp(committed) + " (" + ago(Duration.between(committed, now)) + " ago) by "
                + store.lastCommitUser() + "\n"
                + String.format(Locale.ROOT, "%s  up %s, 1 user, load averages: 0.02, 0.05, 0.01\n",
                        DateTimeFormatter.ofPattern("h:mma", Locale.ROOT).withZone(ZoneOffset.UTC).format(now),
                        upText(up));
    }

    /**
     * The commit history, most recent first: {@code 0   2026-12-01 12:00:00 UTC by admin via cli commit confirmed, rollback in 5mins},
     * and a commit's comment on its own line below it, indented.
     */
    String systemCommit() {
        StringBuilder out = new StringBuilder();
        List<ConfigStore.CommitEntry> history = store.commitHistory();
        for (int i = 0; i < history.size(); i++) {
            ConfigStore.CommitEntry entry = history.get(i);
            out.append(String.format(Locale.ROOT, "%-4d%s by %s via %s", i, timestamp(entry.at()), entry.user(), entry.client()));
            if (entry.confirmMinutes() > 0) {
                out.append(" commit confirmed, rollback in ").append(entry.confirmMinutes()).append("mins");
            }
            out.append('\n');
            if (entry.comment() != null && !entry.comment().isEmpty()) {
                out.append("    ").append(entry.comment()).append('\n');
            }
        }
        return out.toString();
    }

    private static String ago(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        long days = seconds / 86_400;
        String clock = String.format(Locale.ROOT, "%02d:%02d:%02d", seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60);
        return days > 0 ? days + "d " + clock : clock;
    }

    /** The BSD {@code uptime} style Junos prints: {@code 3 days,  4:17} or {@code 12 mins}. */
    private static String upText(Duration up) {
        long minutes = Math.max(0, up.toMinutes());
        long days = minutes / 1440;
        String clock = minutes % 1440 < 60 ? minutes % 1440 + " mins"
                : String.format(Locale.ROOT, "%d:%02d", minutes % 1440 / 60, minutes % 60);
        if (days == 0) {
            return clock;
        }
        return days + (days == 1 ? " day,  " : " days,  ") + clock;
    }

    String chassisHardware() {
        String serial = identity.serial();
        String tail = serial.substring(2);
        return "Hardware inventory:\n"
                + hardwareRow("Item", "Version", "Part number", "Serial number", "Description")
                + hardwareRow("Chassis", "", "", serial, identity.model().toUpperCase(Locale.ROOT))
                + hardwareRow("Midplane", "REV 07", "750-021261", "MP" + tail, "Midplane")
                + hardwareRow("Routing Engine 0", "REV 08", "740-031116", "RE" + tail, "RE-S-1800x4")
                + hardwareRow("FPC 0", "REV 12", "750-045372", "FP" + tail, "MPC7E 3D 40XGE")
                + hardwareRow("  PIC 0", "", "BUILTIN", "BUILTIN", "20x10GE SFPP")
                + hardwareRow("Power Supply 0", "REV 04", "740-029970", "PS" + tail, "PS 2.4kW; 200-240V AC in")
                + hardwareRow("Fan Tray 0", "REV 02", "740-051564", "FT" + tail, "Fan Tray");
    }

    private static String hardwareRow(String item, String version, String part, String serial, String description) {
        return String.format(Locale.ROOT, "%-17s%-9s%-13s%-18s%s\n", item, version, part, serial, description);
    }
}
