package io.junoscommander.lab.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads keys and lines from an interactive channel the way a terminal line discipline would: CR, LF and CR LF all end a
 * line, backspace edits, Ctrl-C drops the line, escape sequences (arrow keys) are ignored, and typed text is echoed when
 * the client asked for a PTY.
 */
final class TerminalInput {

    private static final int CTRL_C = 3;
    private static final int CTRL_D = 4;
    private static final int BACKSPACE = 8;
    private static final int ESCAPE = 27;
    private static final int DELETE = 127;

    private final Reader reader;
    private final OutputStream echo;
    private boolean lastWasCarriageReturn;

    /** @param echo where to echo typed characters, or null for no echo */
    TerminalInput(InputStream in, OutputStream echo) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        this.echo = echo;
    }

    /** The next key, with the LF of a CR LF pair swallowed; -1 at end of input. */
    int readKey() throws IOException {
        while (true) {
            int c = reader.read();
            if (c == '\n' && lastWasCarriageReturn) {
                lastWasCarriageReturn = false;
                continue;
            }
            lastWasCarriageReturn = c == '\r';
            return c;
        }
    }

    /** The next line without its terminator; null at end of input. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = readKey();
            if (c < 0) {
                return line.length() > 0 ? line.toString() : null;
            }
            if (c == '\r' || c == '\n') {
                echo("\r\n");
                flushEcho();
                return line.toString();
            }
            if (c == CTRL_C) {
                echo("^C\r\n");
                flushEcho();
                return "";
            }
            if (c == CTRL_D && line.length() == 0) {
                return null;
            }
            if (c == BACKSPACE || c == DELETE) {
                if (line.length() > 0) {
                    line.setLength(line.length() - 1);
                    echo("\b \b");
                }
            } else if (c == ESCAPE) {
                skipEscapeSequence();
            } else if (c >= ' ' || c == '\t') {
                line.append((char) c);
                echo(String.valueOf((char) c));
            }
            if (!reader.ready()) {
                flushEcho();
            }
        }
    }

    private void skipEscapeSequence() throws IOException {
        int next = readKey();
        if (next == '[' || next == 'O') {
            int c;
            do {
                c = readKey();
            } while (c >= 0 && (c < '@' || c > '~'));
        }
    }

    private void echo(String text) throws IOException {
        if (echo != null) {
            echo.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void flushEcho() throws IOException {
        if (echo != null) {
            echo.flush();
        }
    }
}
