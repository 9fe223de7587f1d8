package io.junoscommander.device.ssh;

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
    private static final Pattern LOAD_ERROR = Pattern.compile("(?m)^\\s*(syntax error|error:|unknown command|invalid )");
    private static final String FETCH_COMMAND = "show configuration | display set | no-more";

    private final DeviceTargets targets;
    private final DeviceCommandService commands;
    private final SshSessions sessions;
    private final SshConfig config;

    ConfigService(DeviceTargets targets, DeviceCommandService commands, SshSessions sessions, SshConfig config) {
        this.targets = targets;
        this.commands = commands;
        this.sessions = sessions;
        this.config = config;
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

    public Uni<ConfigPushResult> push(UUID deviceId, ConfigPushRequest request, String user) {
        return targets.resolve(deviceId).flatMap(target -> {
            requireJunos(target);
            return commands.onWorker(() -> pushBlocking(target, request));
        }).invoke(result -> AUDIT.infof("config push by %s on device %s (%s): mode=%s success=%s committed=%s lines=%d", user,
                result.deviceName(), result.deviceId(), result.mode(), result.success(), result.committed(), request.lines().size()));
    }

    /** Confirms a pending {@code commit confirmed}, so the device keeps the change. */
    public Uni<ConfigPushResult> confirm(UUID deviceId, String user) {
        return targets.resolve(deviceId).flatMap(target -> {
            requireJunos(target);
            return commands.onWorker(() -> inConfigurationMode(target, "confirm", (shell, start) -> {
                String answer = shell.send("commit");
                boolean ok = answer.contains("commit complete");
                return new ConfigPushResult(target.deviceId(), target.name(), "confirm", ok, ok, null, answer, ok ? null : List.of(answer),
                        null, CommandRunner.elapsedMs(start));
            }));
        }).invoke(result -> AUDIT.infof("commit confirmation by %s on device %s: success=%s", user, result.deviceName(), result.success()));
    }

    private ConfigPushResult pushBlocking(DeviceTarget target, ConfigPushRequest request) {
        return inConfigurationMode(target, request.mode(), (shell, start) -> {
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
                        CommandRunner.elapsedMs(start));
            }
            String diff = shell.send("show | compare");
            String comment = request.comment() == null || request.comment().isBlank() ? "" : " comment \"" + request.comment() + "\"";
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
                    success ? null : verdict.lines().filter(l -> !l.isBlank()).toList(), rollbackAt, CommandRunner.elapsedMs(start));
        });
    }

    /** The steps of one configuration session. */
    private interface ConfigSteps {
        ConfigPushResult run(JunosShell shell, long start) throws IOException;
    }

    private ConfigPushResult inConfigurationMode(DeviceTarget target, String mode, ConfigSteps steps) {
        long start = System.nanoTime();
        try (SshSessions.Lease lease = sessions.acquire(target); JunosShell shell = JunosShell.open(lease.session(),
                config.commandTimeout())) {
            String entered = shell.send("configure");
            if (LOAD_ERROR.matcher(entered).find()) {
                throw new SshFailure(ErrorKind.COMMAND_ERROR, "cannot enter configuration mode: " + entered.strip());
            }
            ConfigPushResult result = steps.run(shell, start);
            shell.sendAnswering("exit configuration-mode", "yes");
            return result;
        } catch (SshFailure failure) {
            throw new ProblemException(502, "device-" + failure.kind().wireName(), "Device operation failed",
                    target.name() + ": " + failure.getMessage(), List.of());
        } catch (IOException e) {
            SshFailure failure = SshSessions.classifyConnect(e);
            throw new ProblemException(502, "device-" + failure.kind().wireName(), "Device operation failed",
                    target.name() + ": " + failure.getMessage(), List.of());
        }
    }

    private static void requireJunos(DeviceTarget target) {
        if (!target.isJunos()) {
            throw new ProblemException(409, "unsupported-platform", "Unsupported platform", "configuration fetch and push are defined for"
                    + " junos devices; " + target.name() + " is " + target.platform(), List.of());
        }
    }

    static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
