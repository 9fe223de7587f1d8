package io.junoscommander.device.configuration;

import io.junoscommander.device.changes.ConfigChange;
import io.junoscommander.device.changes.ConfigChangePublisher;
import io.junoscommander.device.command.DeviceCommandService;
import io.junoscommander.device.command.DeviceCommandService.HostKeyCapture;
import io.junoscommander.device.ssh.DeviceTarget;
import io.junoscommander.device.ssh.DeviceTargets;
import io.junoscommander.device.ssh.ErrorKind;
import io.junoscommander.device.ssh.SshConfig;
import io.junoscommander.device.ssh.SshFailure;
import io.junoscommander.device.ssh.SshSessions;
import io.junoscommander.support.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Running configuration fetch (Oxidized-style, {@code display set} form with a content hash) and configuration push with
 * the NAPALM flow: load, compare, then check, commit or commit confirmed; anything that fails is rolled back.
 */
@ApplicationScoped
public class ConfigService {

    private static final Logger AUDIT = Logger.getLogger("audit");
    private static final Logger LOG = Logger.getLogger(ConfigService.class);
    private static final Pattern LOAD_ERROR = Pattern.compile("(?m)^\\s*(syntax error|error:|unknown command|invalid )");
    private static final String FETCH_COMMAND = "show configuration | display set | no-more";

    private final DeviceTargets targets;
    private final DeviceCommandService commands;
    private final SshSessions sessions;
    private final SshConfig config;
    private final ConfigChangePublisher changes;

    ConfigService(DeviceTargets targets, DeviceCommandService commands, SshSessions sessions, SshConfig config,
            ConfigChangePublisher changes) {
        this.targets = targets;
        this.commands = commands;
        this.sessions = sessions;
        this.config = config;
        this.changes = changes;
    }

    /** Who asked for a push, for the change ledger: the user, the request id and the task id (null when not from a task). */
    public record PushOrigin(String user, String requestId, String taskId) {
    }

    /** A push's result and, when it committed, the running configuration read back in the same SSH session. */
    private record Committed(ConfigPushResult result, String runningConfig, OffsetDateTime committedAt) {
    }

    /** The running configuration of a device. */
    public record RunningConfig(UUID deviceId, String deviceName, String format, String content, String sha256,
            OffsetDateTime fetchedAt) {
    }

    public Uni<RunningConfig> fetch(UUID deviceId) {
        return targets.resolve(deviceId).flatMap(target -> {
            requireJunos(target);
            return commands.runOn(target, List.of(FETCH_COMMAND), config.commandTimeout()).map(result -> {
                if (!result.ok()) {
                    throw new ProblemException(502, "device-" + result.errorKind().wireName(), "Device operation failed",
                            target.name() + ": " + result.error(), List.of());
                }
                String content = result.results().get(0).output().strip() + "\n";
                return new RunningConfig(target.deviceId(), target.name(), "set", content, sha256(content),
                        OffsetDateTime.now(ZoneOffset.UTC));
            });
        });
    }

    public Uni<ConfigPushResult> push(UUID deviceId, ConfigPushRequest request, PushOrigin origin) {
        return targets.resolve(deviceId).flatMap(target -> {
            requireJunos(target);
            HostKeyCapture capture = commands.hostKeyCapture();
            return commands.onWorker(() -> pushBlocking(target, request, capture)).call(done -> capture.record(target));
        }).flatMap(done -> publish(done, origin, request.comment())).invoke(result -> AUDIT.infof("config push by %s on device %s (%s):"
                + " mode=%s success=%s committed=%s lines=%d", origin.user(), result.deviceName(), result.deviceId(), result.mode(),
                result.success(), result.committed(), request.lines().size()));
    }

    /** Confirms a pending {@code commit confirmed}, so the device keeps the change. */
    public Uni<ConfigPushResult> confirm(UUID deviceId, PushOrigin origin) {
        return targets.resolve(deviceId).flatMap(target -> {
            requireJunos(target);
            HostKeyCapture capture = commands.hostKeyCapture();
            return commands.onWorker(() -> inConfigurationMode(target, capture, (shell, start) -> {
                String answer = shell.send("commit");
                boolean ok = answer.contains("commit complete");
                return new ConfigPushResult(target.deviceId(), target.name(), "confirm", ok, ok, null, answer, ok ? null : List.of(answer),
                        null, elapsedMs(start));
            })).call(done -> capture.record(target));
        }).flatMap(done -> publish(done, origin, null)).invoke(result -> AUDIT.infof("commit confirmation by %s on device %s: success=%s",
                origin.user(), result.deviceName(), result.success()));
    }

    /** Hands a committed configuration to the change ledger; the push's answer does not depend on it. */
    private Uni<ConfigPushResult> publish(Committed done, PushOrigin origin, String comment) {
        if (done.runningConfig() == null) {
            return Uni.createFrom().item(done.result());
        }
        ConfigPushResult result = done.result();
        return changes.publish(new ConfigChange(result.deviceId(), result.deviceName(), done.runningConfig(), sha256(done.runningConfig()),
                origin.user(), origin.requestId(), origin.taskId(), result.mode(), comment, done.committedAt())).replaceWith(result);
    }

    private Committed pushBlocking(DeviceTarget target, ConfigPushRequest request, HostKeyCapture capture) {
        return inConfigurationMode(target, capture, (shell, start) -> {
            List<String> errors = new ArrayList<>();
            for (String line : request.lines()) {
                String answer = shell.send(line);
                if (LOAD_ERROR.matcher(answer).find()) {
                    errors.add(line + ": " + answer.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("^"))
                            .reduce((a, b) -> a + " " + b).orElse("rejected"));
                }
            }
            if (!errors.isEmpty()) {
                shell.send("rollback 0");
                return new ConfigPushResult(target.deviceId(), target.name(), request.mode(), false, false, null,
                        "the device rejected " + errors.size() + " line(s); nothing was changed", errors, null,
                        elapsedMs(start));
            }
            String diff = shell.send("show | compare");
            String comment = request.comment() == null || request.comment().isBlank() ? "" : " comment " + quoted(request.comment());
            String verdict;
            boolean success;
            boolean committed = false;
            OffsetDateTime rollbackAt = null;
            switch (request.mode()) {
                case "check" -> {
                    verdict = shell.send("commit check");
                    success = verdict.contains("configuration check succeeds");
                    shell.send("rollback 0");
                }
                case "commit" -> {
                    verdict = shell.send("commit" + comment);
                    success = verdict.contains("commit complete");
                    committed = success;
                }
                default -> {
                    int minutes = request.confirmMinutes() == null ? 10 : request.confirmMinutes();
                    verdict = shell.send("commit confirmed " + minutes + comment);
                    success = verdict.contains("commit complete");
                    committed = success;
                    rollbackAt = success ? OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(minutes) : null;
                }
            }
            if (!success && !"check".equals(request.mode())) {
                // a failed commit leaves the device as it was
                shell.send("rollback 0");
            }
            return new ConfigPushResult(target.deviceId(), target.name(), request.mode(), success, committed, diff, verdict,
                    success ? null : verdict.lines().filter(l -> !l.isBlank()).toList(), rollbackAt, elapsedMs(start));
        });
    }

    /** The steps of one configuration session. */
    private interface ConfigSteps {
        ConfigPushResult run(JunosShell shell, long start) throws IOException;
    }

    /**
     * Runs {@code steps} in configuration mode; after a commit the running configuration is read back in the same session
     * (operational mode, the form {@link #fetch} returns), so the change ledger gets exactly what was committed. A session
     * this opens for a device with no host key on record hands the presented key to {@code capture}, as a command run does.
     */
    private Committed inConfigurationMode(DeviceTarget target, HostKeyCapture capture, ConfigSteps steps) {
        long start = System.nanoTime();
        try (SshSessions.Lease lease = sessions.acquire(target); JunosShell shell = JunosShell.open(lease.session(),
                config.commandTimeout())) {
            capture.presented(target, lease);
            String entered = shell.send("configure");
            if (LOAD_ERROR.matcher(entered).find()) {
                throw new SshFailure(ErrorKind.COMMAND_ERROR, "cannot enter configuration mode: " + entered.strip());
            }
            ConfigPushResult result = steps.run(shell, start);
            OffsetDateTime committedAt = OffsetDateTime.now(ZoneOffset.UTC);
            shell.sendAnswering("exit configuration-mode", "yes");
            String running = null;
            if (result.committed()) {
                try {
                    running = shell.send(FETCH_COMMAND).strip() + "\n";
                } catch (IOException e) {
                    // the commit stands; the scheduled collection records this configuration instead
                    LOG.warnf("%s: committed, but the running configuration could not be read back: %s", target.name(), e.getMessage());
                }
            }
            return new Committed(result, running, committedAt);
        } catch (SshFailure failure) {
            throw new ProblemException(502, "device-" + failure.kind().wireName(), "Device operation failed",
                    target.name() + ": " + failure.getMessage(), List.of());
        } catch (IOException e) {
            SshFailure failure = SshSessions.classifyConnect(e);
            throw new ProblemException(502, "device-" + failure.kind().wireName(), "Device operation failed",
                    target.name() + ": " + failure.getMessage(), List.of());
        }
    }

    /** A Junos quoted string: inside the quotes a backslash takes the next character literally, so escape both. */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void requireJunos(DeviceTarget target) {
        if (!target.isJunos()) {
            throw new ProblemException(409, "unsupported-platform", "Unsupported platform", "configuration fetch and push are defined for"
                    + " junos devices; " + target.name() + " is " + target.platform(), List.of());
        }
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
