package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Configuration mode: set/delete on the candidate, show | compare, commit (and its failures), rollback, commit confirmed. */
class JunosConfigurationTest {

    private static final String OPERATIONAL = "lab@lab-r0001> ";
    private static final String CONFIGURATION = "[edit]\r\nlab@lab-r0001# ";

    private DeviceLab lab;
    private LabSsh ssh;
    private LabDevice router;

    @BeforeEach
    void startLab() throws Exception {
        // A "minute" of 300 ms lets commit confirmed roll back within the test.
        lab = DeviceLab.start(LabConfig.builder().devices(1).minuteMillis(300).build());
        ssh = new LabSsh();
        router = lab.device("lab-r0001");
    }

    @AfterEach
    void stopLab() {
        ssh.close();
        lab.close();
    }

    private LabSsh.Shell configure() throws Exception {
        LabSsh.Shell shell = ssh.shell(router);
        shell.expect(OPERATIONAL);
        shell.send("set cli screen-length 0");
        shell.expect(OPERATIONAL);
        shell.send("configure");
        assertThat(shell.expect(CONFIGURATION)).contains("Entering configuration mode\r\n\r\n");
        return shell;
    }

    @Test
    void setShowCompareAndCommitChangeTheActiveConfiguration() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("set system host-name core-r1");
            shell.expect(CONFIGURATION);
            shell.send("set interfaces ge-0/0/2 unit 0 family inet address 192.0.2.1/24");
            shell.expect(CONFIGURATION);
            shell.send("show | compare");
            String diff = shell.expect(CONFIGURATION);
            assertThat(diff).contains("[edit system]\r\n-   host-name lab-r0001;\r\n+   host-name core-r1;\r\n")
                    .contains("[edit interfaces]\r\n+   ge-0/0/2 {\r\n+       unit 0 {\r\n+           family inet {\r\n"
                            + "+               address 192.0.2.1/24;\r\n");
            assertThat(router.activeConfiguration()).contains("set system host-name lab-r0001");

            shell.send("commit");
            assertThat(shell.expect("lab@core-r1# ")).contains("commit complete\r\n");
            assertThat(router.activeConfiguration()).contains("set system host-name core-r1",
                    "set interfaces ge-0/0/2 unit 0 family inet address 192.0.2.1/24").doesNotContain("set system host-name lab-r0001");
            assertThat(router.hostname()).isEqualTo("core-r1");

            shell.send("show | compare");
            assertThat(shell.expect("lab@core-r1# ")).isEqualTo("show | compare\r\n\r\n[edit]\r\nlab@core-r1# ");
            shell.send("exit");
            assertThat(shell.expect("lab@core-r1> ")).contains("Exiting configuration mode");
        }
        assertThat(ssh.exec(router, "show version").stdout()).startsWith("Hostname: core-r1\n");
    }

    @Test
    void deleteRemovesAStatementAndItsChildren() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("delete protocols ospf");
            shell.expect(CONFIGURATION);
            shell.send("delete snmp community nobody");
            assertThat(shell.expect(CONFIGURATION)).contains("warning: statement not found");
            shell.send("commit");
            shell.expect(CONFIGURATION);
        }
        assertThat(router.activeConfiguration()).noneMatch(line -> line.startsWith("set protocols"));
        assertThat(router.activeConfiguration()).contains("set snmp community public authorization read-only");
    }

    @Test
    void setOfUnknownStanzaIsRejectedAtSetTime() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("set bogus thing 1");
            // Prompt "lab@lab-r0001# " is 15 columns, "bogus" starts at column 4.
            assertThat(shell.expect(CONFIGURATION)).contains("set bogus thing 1\r\n" + " ".repeat(19) + "^\r\nsyntax error.\r\n");
            shell.send("frobnicate");
            assertThat(shell.expect(CONFIGURATION)).contains(" ".repeat(15) + "^\r\nunknown command.\r\n");
        }
        assertThat(router.candidateConfiguration()).noneMatch(line -> line.contains("bogus"));
    }

    @Test
    void failedCommitSaysWhyAndLeavesTheDeviceUnchanged() throws Exception {
        var before = router.activeConfiguration();
        try (LabSsh.Shell shell = configure()) {
            shell.send("delete system host-name");
            shell.expect(CONFIGURATION);
            shell.send("commit check");
            assertThat(shell.expect(CONFIGURATION)).contains("Missing mandatory statement: 'host-name'")
                    .contains("error: configuration check-out failed");
            shell.send("commit");
            String answer = shell.expect(CONFIGURATION);
            assertThat(answer).contains("[edit system]\r\n  'host-name'\r\n    Missing mandatory statement: 'host-name'\r\n")
                    .contains("error: configuration check-out failed").doesNotContain("commit complete");
            assertThat(router.activeConfiguration()).isEqualTo(before);
            shell.send("rollback");
            assertThat(shell.expect(CONFIGURATION)).contains("load complete");
            shell.send("commit check");
            assertThat(shell.expect(CONFIGURATION)).contains("configuration check succeeds");
        }
        assertThat(router.activeConfiguration()).isEqualTo(before);
    }

    @Test
    void rollbackLoadsEarlierRevisionsIntoTheCandidate() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            for (int i = 1; i <= 11; i++) {
                shell.send("set system location building-" + i);
                shell.expect(CONFIGURATION);
                shell.send("commit");
                assertThat(shell.expect(CONFIGURATION)).contains("commit complete");
            }
            assertThat(router.activeConfiguration()).contains("set system location building-11");
            shell.send("rollback 10");
            assertThat(shell.expect(CONFIGURATION)).contains("load complete");
            shell.send("show | compare");
            assertThat(shell.expect(CONFIGURATION)).contains("-   location building-11;").contains("+   location building-1;");
            shell.send("commit");
            shell.expect(CONFIGURATION);
            shell.send("rollback 60");
            assertThat(shell.expect(CONFIGURATION)).contains("error: rollback 60");
        }
        assertThat(router.activeConfiguration()).contains("set system location building-1")
                .doesNotContain("set system location building-11");
    }

    @Test
    void exitWithUncommittedChangesAsksFirst() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("set system location lab-rack-7");
            shell.expect(CONFIGURATION);
            shell.send("exit");
            assertThat(shell.expect("Exit with uncommitted changes? [yes,no] (yes) "))
                    .contains("The configuration has been changed but not committed\r\n");
            shell.send("no");
            shell.expect(CONFIGURATION);
            shell.send("exit");
            shell.expect("Exit with uncommitted changes? [yes,no] (yes) ");
            shell.send("");
            assertThat(shell.expect(OPERATIONAL)).contains("Exiting configuration mode");
        }
        assertThat(router.activeConfiguration()).noneMatch(line -> line.contains("lab-rack-7"));
    }

    @Test
    void commitConfirmedRollsBackByItselfUnlessConfirmed() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("set system location unconfirmed");
            shell.expect(CONFIGURATION);
            shell.send("commit confirmed 1");
            assertThat(shell.expect(CONFIGURATION))
                    .contains("commit confirmed will be automatically rolled back in 1 minutes unless confirmed\r\ncommit complete\r\n");
            assertThat(router.activeConfiguration()).contains("set system location unconfirmed");
            awaitTrue(() -> !router.activeConfiguration().contains("set system location unconfirmed"));
            assertThat(router.commitConfirmationPending()).isFalse();

            shell.send("set system location confirmed");
            shell.expect(CONFIGURATION);
            shell.send("commit confirmed 2");
            shell.expect(CONFIGURATION);
            shell.send("commit");
            assertThat(shell.expect(CONFIGURATION)).contains("commit complete");
            assertThat(router.commitConfirmationPending()).isFalse();
            Thread.sleep(1000);
            assertThat(router.activeConfiguration()).contains("set system location confirmed");
        }
    }

    @Test
    void commitTakesItsOptionsInAnyOrderAndKeepsTheComment() throws Exception {
        try (LabSsh.Shell shell = configure()) {
            shell.send("set system location one");
            shell.expect(CONFIGURATION);
            shell.send("commit comment \"first change\"");
            assertThat(shell.expect(CONFIGURATION)).contains("commit complete\r\n");
            shell.send("commit confirmed 5 comment \"say \\\"hi\\\" | no-more; back\\\\slash\"");
            assertThat(shell.expect(CONFIGURATION))
                    .contains("commit confirmed will be automatically rolled back in 5 minutes unless confirmed\r\ncommit complete\r\n");
            shell.send("commit comment \"confirmed first\" confirmed 7");
            assertThat(shell.expect(CONFIGURATION)).contains("rolled back in 7 minutes").contains("commit complete\r\n");
            shell.send("commit confirmed");
            assertThat(shell.expect(CONFIGURATION)).contains("rolled back in 10 minutes").contains("commit complete\r\n");
            shell.send("commit comment plain");
            assertThat(shell.expect(CONFIGURATION)).contains("commit complete\r\n");
            assertThat(router.commitConfirmationPending()).isFalse();

            shell.send("commit check comment \"no\"");
            assertThat(shell.expect(CONFIGURATION)).contains("syntax error, expecting <command>.").doesNotContain("commit complete");
            shell.send("commit confirmed 0");
            assertThat(shell.expect(CONFIGURATION)).contains("syntax error, expecting <number>.");
            shell.send("commit comment \"unterminated");
            assertThat(shell.expect(CONFIGURATION)).contains("syntax error, unterminated string.");
            shell.send("commit comment \"a\" comment \"b\"");
            assertThat(shell.expect(CONFIGURATION)).contains("syntax error, expecting <command>.");
        }
        assertThat(router.commitHistory()).hasSize(6);
        String history = ssh.exec(router, "show system commit").stdout();
        List<String> lines = history.lines().toList();
        assertThat(lines.get(0)).matches("0   \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC by lab via cli");
        assertThat(lines.get(1)).isEqualTo("    plain");
        assertThat(lines.get(2)).matches("1   .* UTC by lab via cli commit confirmed, rollback in 10mins");
        assertThat(lines.get(3)).matches("2   .* UTC by lab via cli commit confirmed, rollback in 7mins");
        assertThat(lines.get(4)).isEqualTo("    confirmed first");
        assertThat(lines.get(5)).matches("3   .* UTC by lab via cli commit confirmed, rollback in 5mins");
        assertThat(lines.get(6)).isEqualTo("    say \"hi\" | no-more; back\\slash");
        assertThat(lines.get(7)).matches("4   .* UTC by lab via cli");
        assertThat(lines.get(8)).isEqualTo("    first change");
        assertThat(lines.get(9)).matches("5   .* UTC by root via other");
        assertThat(lines).hasSize(10);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
