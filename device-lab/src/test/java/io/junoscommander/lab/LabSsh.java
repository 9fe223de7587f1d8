package io.junoscommander.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.core.CoreModuleProperties;

/** A MINA SSH client for tests: exec a command or drive an interactive shell on a lab device. */
final class LabSsh implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SshClient client;

    LabSsh() {
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
    }

    SshClient client() {
        return client;
    }

    /** Connects and logs in with the device's password. */
    ClientSession login(LabDevice device) throws IOException {
        return login(device, device.password());
    }

    ClientSession login(LabDevice device, String password) throws IOException {
        ClientSession session = client.connect(device.username(), device.host(), device.port()).verify(TIMEOUT).getSession();
        session.addPasswordIdentity(password);
        try {
            session.auth().verify(TIMEOUT);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
        return session;
    }

    /** Output, error text and exit status of one exec channel; exitStatus is null when the channel died without one. */
    record ExecResult(String stdout, String stderr, Integer exitStatus) {
    }

    ExecResult exec(LabDevice device, String command) throws IOException {
        try (ClientSession session = login(device)) {
            return exec(session, command, TIMEOUT);
        }
    }

    static ExecResult exec(ClientSession session, String command, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw new IOException("exec '" + command + "' timed out; output so far: " + out.toString(StandardCharsets.UTF_8));
            }
            return new ExecResult(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), channel.getExitStatus());
        }
    }

    Shell shell(LabDevice device) throws IOException {
        ClientSession session = login(device);
        ChannelShell channel = session.createShellChannel();
        Shell shell = new Shell(session, channel);
        channel.setOut(shell.collector);
        channel.setErr(shell.collector);
        channel.open().verify(TIMEOUT);
        return shell;
    }

    /** An interactive shell with a PTY; everything the device writes is collected and matched with {@link #expect}. */
    static final class Shell implements AutoCloseable {
        private final ClientSession session;
        private final ChannelShell channel;
        private final StringBuilder received = new StringBuilder();
        private int position;
        final OutputStream collector = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                synchronized (received) {
                    received.append(new String(bytes, offset, length, StandardCharsets.UTF_8));
                    received.notifyAll();
                }
            }
        };

        Shell(ClientSession session, ChannelShell channel) {
            this.session = session;
            this.channel = channel;
        }

        ChannelShell channel() {
            return channel;
        }

        /** Sends text as typed, followed by Enter (LF, as netmiko sends it). */
        void send(String line) throws IOException {
            type(line + "\n");
        }

        void type(String keys) throws IOException {
            OutputStream in = channel.getInvertedIn();
            in.write(keys.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Waits for {@code marker} after what earlier calls consumed; returns the text up to and including it. */
        String expect(String marker) throws InterruptedException {
            return expect(marker, TIMEOUT);
        }

        String expect(String marker, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (received) {
                while (true) {
                    int found = received.indexOf(marker, position);
                    if (found >= 0) {
                        String text = received.substring(position, found + marker.length());
                        position = found + marker.length();
                        return text;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no '" + marker + "' within " + timeout + "; received after the last match: "
                                + received.substring(position));
                    }
                    received.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        /** Presses space at every {@code ---(more)---} until {@code prompt} arrives; returns all text with more prompts. */
        String pageThrough(String prompt) throws InterruptedException, IOException {
            StringBuilder all = new StringBuilder();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (received) {
                    int more = received.indexOf("---(more)---", position);
                    int end = received.indexOf(prompt, position);
                    if (end >= 0 && (more < 0 || end < more)) {
                        all.append(received, position, end + prompt.length());
                        position = end + prompt.length();
                        return all.toString();
                    }
                    if (more >= 0) {
                        all.append(received, position, more + "---(more)---".length());
                        position = more + "---(more)---".length();
                    } else {
                        received.wait(100);
                        continue;
                    }
                }
                type(" ");
            }
            throw new AssertionError("no '" + prompt + "' while paging; received: " + all + pending());
        }

        /** Everything received so far after the last match. */
        String pending() {
            synchronized (received) {
                return received.substring(position);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close(true);
            session.close(true);
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
