package io.junoscommander.lab.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** A few commands of a Debian host's bash, enough for inventory and reachability checks against the Linux profile. */
public final class LinuxCli implements CliSession {

    private static final String KERNEL = "6.1.0-28-amd64";
    private static final String OS_RELEASE = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
            + "NAME=\"Debian GNU/Linux\"\n"
            + "VERSION_ID=\"12\"\n"
            + "VERSION=\"12 (bookworm)\"\n"
            + "VERSION_CODENAME=bookworm\n"
            + "ID=debian\n"
            + "HOME_URL=\"https://www.debian.org/\"\n"
            + "SUPPORT_URL=\"https://www.debian.org/support\"\n"
            + "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";

    private final DeviceIdentity identity;
    private final String user;

    public LinuxCli(DeviceIdentity identity, String user) {
        this.identity = identity;
        this.user = user;
    }

    @Override
    public String greeting() {
        return "Linux " + identity.name() + " " + KERNEL + " #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64\n\n";
    }

    @Override
    public String prompt() {
        return user + "@" + identity.name() + ":~$ ";
    }

    @Override
    public int screenLength() {
        return 0;
    }

    @Override
    public CliResponse execute(String line, boolean interactive) {
        List<String> words;
        try {
            words = ConfigTree.tokenize(line.trim());
        } catch (IllegalArgumentException e) {
            return CliResponse.stderr("bash: unexpected EOF while looking for matching `\"'\n", 2);
        }
        if (words.isEmpty()) {
            return CliResponse.text("");
        }
        String command = words.get(0);
        List<String> args = words.subList(1, words.size());
        switch (command) {
            case "uname":
                return uname(args);
            case "hostname":
                return CliResponse.text(identity.name() + "\n");
            case "whoami":
                return CliResponse.text(user + "\n");
            case "uptime":
                return CliResponse.text(uptime());
            case "echo":
                // Quotes only group words here; bash would drop them the same way for plain text.
                return CliResponse.text(String.join(" ", args).replace("\"", "").replace("'", "") + "\n");
            case "cat":
                if (args.equals(List.of("/etc/os-release"))) {
                    return CliResponse.text(OS_RELEASE);
                }
                return CliResponse.stderr(args.isEmpty() ? "" : "cat: " + args.get(0) + ": No such file or directory\n", 1);
            case "true":
                return CliResponse.text("");
            case "exit":
            case "logout":
                return CliResponse.end(interactive ? "logout\n" : "");
            default:
                return CliResponse.stderr("bash: " + command + ": command not found\n", 127);
        }
    }

    private CliResponse uname(List<String> args) {
        if (args.isEmpty() || args.equals(List.of("-s"))) {
            return CliResponse.text("Linux\n");
        }
        if (args.equals(List.of("-r"))) {
            return CliResponse.text(KERNEL + "\n");
        }
        if (args.equals(List.of("-n"))) {
            return CliResponse.text(identity.name() + "\n");
        }
        if (args.equals(List.of("-a"))) {
            return CliResponse.text("Linux " + identity.name() + " " + KERNEL
                    + " #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n");
        }
        return CliResponse.stderr("uname: invalid option -- '" + args.get(0).replace("-", "") + "'\n", 1);
    }

    private String uptime() {
        Instant now = Instant.now();
        long minutes = Math.max(0, Duration.between(identity.bootTime(), now).toMinutes());
        String up = minutes < 60 ? minutes + " min" : String.format(Locale.ROOT, "%2d:%02d", minutes / 60, minutes % 60);
        return " " + DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC).format(now) + " up " + up
                + ",  1 user,  load average: 0.00, 0.01, 0.00\n";
    }
}
