package io.junoscommander.device.command;

import io.junoscommander.device.ssh.DeviceTarget;
import io.junoscommander.device.ssh.ErrorKind;
import io.junoscommander.device.ssh.SshConfig;
import io.junoscommander.device.ssh.SshFailure;
import io.junoscommander.device.ssh.SshSessions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

/**
 * Runs commands on a device over SSH exec channels (one channel per command on the device's shared session), with a
 * timeout and an output cap per command. Blocking: call it from a worker thread, never the event loop.
 */
@ApplicationScoped
public class CommandRunner {

    /** How Junos reports a command it did not run. */
    private static final Pattern JUNOS_ERROR = Pattern.compile("(?m)^\\s*(syntax error|unknown command|error:|invalid )");

    private final SshSessions sessions;
    private final SshConfig config;
    private final MeterRegistry meters;

    CommandRunner(SshSessions sessions, SshConfig config, MeterRegistry meters) {
        this.sessions = sessions;
        this.config = config;
        this.meters = meters;
    }

    /** Every command in order; stops at a timeout or a broken session, and reports what ran. */
    public DeviceRunResult run(DeviceTarget target, List<String> commands, Duration perCommandTimeout, HostKeyRecorder recorder) {
        long start = System.nanoTime();
        try (SshSessions.Lease lease = sessions.acquire(target)) {
            recorder.presented(target, lease);
            List<CommandResult> results = new ArrayList<>();
            ErrorKind firstError = null;
            String firstMessage = null;
            for (String command : commands) {
                CommandResult result = exec(lease, target, command, perCommandTimeout);
                results.add(result);
                if (result.errorKind() != null && firstError == null) {
                    firstError = result.errorKind();
                    firstMessage = result.error();
                }
                if (result.errorKind() == ErrorKind.TIMEOUT) {
                    // a hung channel may mean a hung session: start clean next time, skip the rest
                    sessions.discard(lease);
                    break;
                }
            }
            return new DeviceRunResult(target.deviceId(), target.name(), firstError == null, firstError, firstMessage, elapsedMs(start),
                    results);
        } catch (SshFailure failure) {
            sessions.errorCounter(failure.kind()).increment();
            return DeviceRunResult.failed(target.deviceId(), target.name(), failure, elapsedMs(start));
        }
    }

    private CommandResult exec(SshSessions.Lease lease, DeviceTarget target, String command, Duration timeout) {
        long start = System.nanoTime();
        ChannelExec channel = null;
        try {
            channel = lease.session().createExecChannel(command);
            ChannelExec open = channel;
            CappedOutput out = new CappedOutput(config.maxOutputBytes(), () -> open.close(false));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            channel.setOut(out);
            channel.setErr(err);
            if (!channel.open().await(timeout.toMillis())) {
                return finish(target, command, out, null, start, ErrorKind.TIMEOUT, "the device did not open a channel within "
                        + timeout.toSeconds() + " s");
            }
            long left = Math.max(1, timeout.toMillis() - elapsedMs(start));
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), left);
            if (out.truncated()) {
                return finish(target, command, out, null, start, ErrorKind.OUTPUT_TRUNCATED,
                        "output cut at " + config.maxOutputBytes() + " bytes");
            }
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                return finish(target, command, out, null, start, ErrorKind.TIMEOUT, "no complete answer within " + timeout.toSeconds()
                        + " s");
            }
            Integer status = channel.getExitStatus();
            String stderr = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            String output = out.text() + stderr;
            boolean failed = status != null && status != 0 || target.isJunos() && JUNOS_ERROR.matcher(output).find();
            if (failed) {
                return finish(target, command, out, status, start, ErrorKind.COMMAND_ERROR, firstLine(stderr.isBlank() ? output : stderr),
                        stderr);
            }
            return finish(target, command, out, status, start, null, null);
        } catch (IOException e) {
            SshFailure failure = SshSessions.classifyConnect(e);
            sessions.discard(lease);
            return new CommandResult(command, "", null, elapsedMs(start), false, failure.kind(), failure.getMessage());
        } finally {
            if (channel != null) {
                channel.close(true);
            }
        }
    }

    private CommandResult finish(DeviceTarget target, String command, CappedOutput out, Integer status, long start, ErrorKind kind,
            String error) {
        return finish(target, command, out, status, start, kind, error, "");
    }

    private CommandResult finish(DeviceTarget target, String command, CappedOutput out, Integer status, long start, ErrorKind kind,
            String error, String stderr) {
        long nanos = System.nanoTime() - start;
        Timer.builder("ssh.command.duration").tag("platform", target.platform()).tag("outcome", kind == null ? "ok" : kind.wireName())
                .publishPercentileHistogram().register(meters).record(nanos, TimeUnit.NANOSECONDS);
        if (kind != null) {
            sessions.errorCounter(kind).increment();
        }
        return new CommandResult(command, out.text() + stderr, status, nanos / 1_000_000, out.truncated(), kind, error);
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.equals("^")).findFirst().orElse("command failed");
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Told which host key a device presented, so a first-use key can be stored. */
    public interface HostKeyRecorder {
        void presented(DeviceTarget target, SshSessions.Lease lease);
    }
}
