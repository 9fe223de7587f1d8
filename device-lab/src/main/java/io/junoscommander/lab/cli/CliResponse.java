package io.junoscommander.lab.cli;

import java.util.function.Function;

/**
 * What one command line produced.
 *
 * @param output text for standard output, lines ending in {@code \n} (the shell turns them into CR LF)
 * @param error text for standard error (Linux profile only; Junos writes everything to standard output)
 * @param exitStatus exit status an exec channel reports
 * @param pageable whether an interactive session may page this output with {@code ---(more)---}
 * @param endSession whether the session ends after this output
 * @param question a question to print after the output, e.g. {@code Exit with uncommitted changes? [yes,no] (yes) }
 * @param onAnswer what to do with the answer line when there is a question
 */
public record CliResponse(String output, String error, int exitStatus, boolean pageable, boolean endSession, String question,
        Function<String, CliResponse> onAnswer) {

    public static CliResponse text(String output) {
        return new CliResponse(output, "", 0, false, false, null, null);
    }

    public static CliResponse pageable(String output) {
        return new CliResponse(output, "", 0, true, false, null, null);
    }

    /** A Junos error: the text goes to standard output, the exec exit status is 1. */
    public static CliResponse failure(String output) {
        return new CliResponse(output, "", 1, false, false, null, null);
    }

    public static CliResponse stderr(String error, int exitStatus) {
        return new CliResponse("", error, exitStatus, false, false, null, null);
    }

    public static CliResponse end(String output) {
        return new CliResponse(output, "", 0, false, true, null, null);
    }

    public static CliResponse ask(String output, String question, Function<String, CliResponse> onAnswer) {
        return new CliResponse(output, "", 0, false, false, question, onAnswer);
    }

    public CliResponse withOutput(String newOutput) {
        return new CliResponse(newOutput, error, exitStatus, pageable, endSession, question, onAnswer);
    }
}
