package io.junoscommander.lab.server;

import io.junoscommander.lab.cli.CliResponse;
import io.junoscommander.lab.cli.CliSession;
import io.junoscommander.lab.fault.DeviceFaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;

/** {@code ssh host 'command'}: one command, its output, its exit status, and the channel closes. */
final class CliExecCommand extends CliCommandBase {

    private final String commandLine;

    CliExecCommand(String commandLine, ExecutorService workers, BiFunction<String, Integer, CliSession> cliFactory,
            DeviceFaults faults) {
        super(workers, cliFactory, faults);
        this.commandLine = commandLine;
    }

    @Override
    protected int run(CliSession cli, boolean terminal) throws IOException, InterruptedException {
        delayResponse();
        CliResponse response = cli.execute(commandLine, false);
        String output = response.output();
        if (response.question() != null) {
            output += response.question() + "\n";
        }
        writeOutput(out, terminal ? output.replace("\n", "\r\n") : output);
        out.flush();
        if (!response.error().isEmpty()) {
            err.write(response.error().getBytes(StandardCharsets.UTF_8));
            err.flush();
        }
        return response.exitStatus();
    }
}
