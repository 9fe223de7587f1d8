package io.junoscommander.lab.cli;

/** The command interpreter of one SSH session on one device (Junos or Linux profile). */
public interface CliSession {

    /** Text written when an interactive shell opens, before the first prompt. */
    String greeting();

    /** The prompt; may span lines (Junos configuration mode prints {@code [edit]} above it). */
    String prompt();

    /**
     * Runs one command line.
     *
     * @param interactive true in a shell (errors point a caret at the word under the typed line), false on an exec channel
     */
    CliResponse execute(String line, boolean interactive);

    /** Lines per page for interactive output; 0 turns paging off. */
    int screenLength();
}
