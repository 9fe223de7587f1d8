package io.junoscommander.device.configuration;

import io.junoscommander.device.ssh.ErrorKind;
import io.junoscommander.device.ssh.SshFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;

/**
 * An interactive Junos CLI over a shell channel with a terminal, the way an engineer (or Netmiko) drives it: paging and
 * completion off, each line answered up to the next prompt, the echo and the prompt stripped from what is returned.
 */
final class JunosShell implements AutoCloseable {

    /** {@code user@host> } in operational mode, {@code [edit]\nuser@host# } in configuration mode. */
    private static final Pattern PROMPT = Pattern.compile("(?:\\r?\\n)?(?:\\[edit[^\\]\\n]*\\]\\r?\\n)?[\\w.-]+@[\\w.-]+[>#] $");
    private static final Pattern QUESTION = Pattern.compile("\\[yes,no\\] \\((yes|no)\\) $");

    private final ChannelShell channel;
    private final InputStream in;
    private final OutputStream out;
    private final Duration timeout;

    private JunosShell(ChannelShell channel, Duration timeout) {
        this.channel = channel;
        this.in = channel.getInvertedOut();
        this.out = channel.getInvertedIn();
        this.timeout = timeout;
    }

    static JunosShell open(ClientSession session, Duration timeout) throws IOException {
        ChannelShell channel = session.createShellChannel();
        channel.setPtyType("vt100");
        channel.setPtyColumns(511);
        channel.setPtyLines(24);
        if (!channel.open().await(timeout.toMillis())) {
            channel.close(true);
            throw new SshFailure(ErrorKind.TIMEOUT, "the device did not open a shell within " + timeout.toSeconds() + " s");
        }
        JunosShell shell = new JunosShell(channel, timeout);
        shell.readUntilPrompt(false);
        shell.send("set cli screen-length 0");
        shell.send("set cli screen-width 511");
        shell.send("set cli complete-on-space off");
        return shell;
    }

    /** Sends one line and returns what the device answered, without the echo and the prompt. */
    String send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return clean(line, readUntilPrompt(true));
    }

    /** Sends a line that may be answered with a yes/no question, and answers it. */
    String sendAnswering(String line, String answer) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String text = readUntilPrompt(true);
        if (QUESTION.matcher(text).find()) {
            out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            text = text + readUntilPrompt(true);
        }
        return clean(line, text);
    }

    /**
     * Reads up to the next prompt or yes/no question. After a line was sent ({@code echoed}), a prompt only counts once the echo
     * of that line has ended: a line that contains prompt-like text (a commit comment {@code "lab@r1# "}) must not end the answer
     * early when a read happens to stop there.
     */
    private String readUntilPrompt(boolean echoed) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int available = in.available();
            if (available > 0) {
                int read = in.read(buffer, 0, Math.min(buffer.length, available));
                if (read < 0) {
                    throw new SshFailure(ErrorKind.UNREACHABLE, "the device closed the shell");
                }
                text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                String sofar = text.toString();
                if ((!echoed || sofar.indexOf('\n') >= 0) && (PROMPT.matcher(sofar).find() || QUESTION.matcher(sofar).find())) {
                    return sofar.replace("\r\n", "\n").replace("\r", "");
                }
            } else if (channel.isClosed() || channel.isClosing()) {
                throw new SshFailure(ErrorKind.UNREACHABLE, "the device closed the shell");
            } else {
                if (System.nanoTime() > deadline) {
                    throw new SshFailure(ErrorKind.TIMEOUT, "no prompt within " + timeout.toSeconds() + " s");
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SshFailure(ErrorKind.TIMEOUT, "interrupted");
                }
            }
        }
    }

    /** Drops the echoed command line, the trailing prompt and the {@code [edit]} banner line. */
    static String clean(String sent, String answer) {
        String text = answer;
        Matcher prompt = PROMPT.matcher(text);
        if (prompt.find()) {
            text = text.substring(0, prompt.start());
        }
        int echo = text.indexOf(sent);
        if (echo >= 0 && text.substring(0, echo).isBlank()) {
            int lineEnd = text.indexOf('\n', echo);
            text = lineEnd < 0 ? "" : text.substring(lineEnd + 1);
        }
        return text.strip();
    }

    @Override
    public void close() {
        channel.close(true);
    }
}
