package io.junoscommander.lab.server;

import io.junoscommander.lab.cli.CliResponse;
import io.junoscommander.lab.cli.CliSession;
import io.junoscommander.lab.fault.DeviceFaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;

/** The interactive shell: greeting, prompt, echo, one command per line, and Junos paging with {@code ---(more)---}. */
final class CliShellCommand extends CliCommandBase {

    static final String MORE = "---(more)---";
    private static final String ERASE_MORE = "\r" + " ".repeat(MORE.length()) + "\r";

    private boolean terminal;

    CliShellCommand(ExecutorService workers, BiFunction<String, Integer, CliSession> cliFactory, DeviceFaults faults) {
        super(workers, cliFactory, faults);
    }

    @Override
    protected int run(CliSession cli, boolean hasTerminal) throws IOException, InterruptedException {
        this.terminal = hasTerminal;
        TerminalInput input = new TerminalInput(in, hasTerminal ? out : null);
        delayResponse();
        write(cli.greeting() + cli.prompt());
        out.flush();
        while (true) {
            String line = input.readLine();
            if (line == null) {
                return 0;
            }
            CliResponse response = cli.execute(line, true);
            delayResponse();
            emit(response, cli, input);
            while (response.question() != null) {
                write(response.question());
                out.flush();
                String answer = input.readLine();
                if (answer == null) {
                    return 0;
                }
                response = response.onAnswer().apply(answer);
                emit(response, cli, input);
            }
            if (response.endSession()) {
                out.flush();
                return 0;
            }
            write(cli.prompt());
            out.flush();
        }
    }

    private void emit(CliResponse response, CliSession cli, TerminalInput input) throws IOException {
        String text = response.output() + response.error();
        if (text.isEmpty()) {
            return;
        }
        int pageLines = cli.screenLength() - 1;
        if (!response.pageable() || pageLines < 1) {
            writeOutput(out, convert(text));
            return;
        }
        List<String> lines = text.lines().toList();
        if (lines.size() <= pageLines) {
            writeOutput(out, convert(text));
            return;
        }
        StringBuilder page = new StringBuilder();
        int next = 0;
        int linesThisPage = pageLines;
        while (next < lines.size()) {
            page.setLength(0);
            for (int i = 0; i < linesThisPage && next < lines.size(); i++) {
                page.append(lines.get(next++)).append('\n');
            }
            writeOutput(out, convert(page.toString()));
            if (next >= lines.size()) {
                return;
            }
            write(MORE);
            out.flush();
            int key = input.readKey();
            write(ERASE_MORE);
            if (key < 0 || key == 'q' || key == 'Q' || key == 3) {
                return;
            }
            // Space shows the next page, Enter one more line, as on Junos.
            linesThisPage = key == '\r' || key == '\n' ? 1 : pageLines;
        }
    }

    private String convert(String text) {
        return terminal ? text.replace("\n", "\r\n") : text;
    }

    private void write(String text) throws IOException {
        out.write(convert(text).getBytes(StandardCharsets.UTF_8));
    }
}
