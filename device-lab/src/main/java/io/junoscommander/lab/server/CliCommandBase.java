package io.junoscommander.lab.server;

import io.junoscommander.lab.cli.CliSession;
import io.junoscommander.lab.fault.DeviceFaults;
import io.junoscommander.lab.fault.FaultKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Shared plumbing of the shell and exec channels: MINA hands over the streams, the session runs on a lab worker thread
 * (it blocks on input, which the IO threads must never do), and the device's faults shape what the client sees.
 */
abstract class CliCommandBase implements Command {

    /** Thrown to stop a session after the disconnect-mid-output fault dropped the connection. */
    static final class Disconnected extends IOException {
        private static final long serialVersionUID = 1L;

        Disconnected() {
            super("dropped by the disconnect-mid-output fault");
        }
    }

    private final ExecutorService workers;
    private final BiFunction<String, Integer, CliSession> cliFactory;
    protected final DeviceFaults faults;
    protected InputStream in;
    protected OutputStream out;
    protected OutputStream err;
    private ExitCallback exitCallback;
    private ChannelSession channel;
    private Future<?> running;

    /**
     * @param cliFactory opens the CLI for (user name, terminal rows)
     */
    CliCommandBase(ExecutorService workers, BiFunction<String, Integer, CliSession> cliFactory, DeviceFaults faults) {
        this.workers = workers;
        this.cliFactory = cliFactory;
        this.faults = faults;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channelSession, Environment env) {
        this.channel = channelSession;
        if (faults.has(FaultKind.HANG)) {
            // The channel is open and silent: no prompt, no output, no exit status, until the client gives up.
            return;
        }
        int rows = parseRows(env.getEnv().get(Environment.ENV_LINES));
        boolean terminal = env.getEnv().containsKey(Environment.ENV_TERM);
        CliSession cli = cliFactory.apply(channelSession.getSession().getUsername(), rows);
        running = workers.submit(() -> {
            int status = 0;
            try {
                status = run(cli, terminal);
            } catch (Disconnected e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (channel.isClosing() || channel.isClosed()) {
                    return;
                }
                status = 255;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            exitCallback.onExit(status);
        });
    }

    /** Runs the session to its end and returns the exit status. */
    protected abstract int run(CliSession cli, boolean terminal) throws IOException, InterruptedException;

    @Override
    public void destroy(ChannelSession channelSession) {
        if (running != null) {
            running.cancel(true);
        }
    }

    /** The latency fault: wait before each response. */
    protected void delayResponse() throws InterruptedException {
        long millis = faults.latencyMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /**
     * Writes command output; with the disconnect fault, only the first half goes out before the connection drops.
     */
    protected void writeOutput(OutputStream stream, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0 && faults.has(FaultKind.DISCONNECT_MID_OUTPUT)) {
            stream.write(bytes, 0, bytes.length / 2);
            stream.flush();
            channel.getSession().close(true);
            throw new Disconnected();
        }
        stream.write(bytes);
    }

    private static int parseRows(String lines) {
        if (lines == null) {
            return 0;
        }
        try {
            return Integer.parseInt(lines.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
