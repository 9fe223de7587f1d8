package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The interactive Junos shell: prompt, echo, paging, errors with carets, and the CLI settings netmiko sends. */
class JunosShellTest {

    private static DeviceLab lab;
    private static LabSsh ssh;
    private static LabDevice router;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(1).build());
        ssh = new LabSsh();
        router = lab.device("lab-r0001");
    }

    @AfterAll
    static void stopLab() {
        ssh.close();
        lab.close();
    }

    @Test
    void greetsAndPromptsThenEchoesAndAnswers() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            assertThat(shell.expect("lab@lab-r0001> ")).startsWith("--- JUNOS " + router.osVersion());
            shell.send("show version | no-more");
            String answer = shell.expect("lab@lab-r0001> ");
            assertThat(answer).startsWith("show version | no-more\r\n")
                    .contains("Hostname: lab-r0001\r\nModel: " + router.model() + "\r\n")
                    .endsWith("\r\n\r\nlab@lab-r0001> ");
        }
    }

    @Test
    void longOutputIsPagedUntilScreenLengthZero() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.send("show configuration");
            String firstPage = shell.expect("---(more)---");
            // The echoed command line, 23 lines of output (screen length 24 minus the more line), then the more prompt.
            assertThat(firstPage.split("\r\n")).hasSize(25);
            assertThat(firstPage).contains("system {");
            shell.type(" ");
            String rest = shell.pageThrough("lab@lab-r0001> ");
            assertThat(rest).contains("snmp {").doesNotContain("system {");

            shell.send("show configuration | no-more");
            assertThat(shell.expect("lab@lab-r0001> ")).contains("snmp {").doesNotContain("---(more)---");

            shell.send("set cli screen-length 0");
            assertThat(shell.expect("lab@lab-r0001> ")).contains("Screen length set to 0");
            shell.send("show configuration");
            assertThat(shell.expect("lab@lab-r0001> ")).contains("system {").contains("snmp {").doesNotContain("---(more)---");
        }
    }

    @Test
    void qStopsThePager() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.send("show configuration");
            shell.expect("---(more)---");
            shell.type("q");
            assertThat(shell.expect("lab@lab-r0001> ")).doesNotContain("snmp {");
        }
    }

    @Test
    void netmikoSettingsAreAccepted() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.send("set cli screen-width 511");
            assertThat(shell.expect("> ")).contains("Screen width set to 511");
            shell.send("set cli complete-on-space off");
            assertThat(shell.expect("> ")).contains("Disabling complete-on-space");
        }
    }

    @Test
    void unknownCommandGetsCaretUnderTheWordAfterThePrompt() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.send("show chassis hardwre");
            String answer = shell.expect("lab@lab-r0001> ");
            // The prompt "lab@lab-r0001> " is 15 columns; "hardwre" starts at column 13 of the line.
            assertThat(answer).contains("show chassis hardwre\r\n" + " ".repeat(15 + 13) + "^\r\n"
                    + "syntax error, expecting <command>.\r\n");
            shell.send("foo");
            assertThat(shell.expect("lab@lab-r0001> ")).contains("foo\r\n" + " ".repeat(15) + "^\r\nunknown command.\r\n");
        }
    }

    @Test
    void backspaceEditsTheLine() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.type("show versoin\u007f\u007f\u007fion\r");
            assertThat(shell.expect("lab@lab-r0001> ")).contains("Hostname: lab-r0001");
        }
    }

    @Test
    void exitEndsTheSession() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(router)) {
            shell.expect("> ");
            shell.send("exit");
            shell.channel().waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), LabSsh.TIMEOUT);
            assertThat(shell.channel().isClosed() || shell.channel().isClosing()).isTrue();
            assertThat(shell.channel().getExitStatus()).isZero();
        }
    }
}
