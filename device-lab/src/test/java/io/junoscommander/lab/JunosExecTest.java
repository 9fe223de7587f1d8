package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Junos operational commands over exec channels: one command, its text, exit status, no paging. */
class JunosExecTest {

    private static DeviceLab lab;
    private static LabSsh ssh;
    private static LabDevice router;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(2).build());
        ssh = new LabSsh();
        router = lab.device("lab-r0002");
    }

    @AfterAll
    static void stopLab() {
        ssh.close();
        lab.close();
    }

    @Test
    void showVersionNamesHostModelAndRelease() throws Exception {
        LabSsh.ExecResult result = ssh.exec(router, "show version");
        assertThat(result.exitStatus()).isZero();
        assertThat(result.stdout()).startsWith("Hostname: lab-r0002\n")
                .contains("Model: " + router.model() + "\n")
                .contains("Junos: " + router.osVersion() + "\n");
        assertThat(result.stdout()).doesNotContain("---(more)---").doesNotContain("\r");
    }

    @Test
    void showInterfacesTerseListsConfiguredInterfacesAndAddresses() throws Exception {
        String out = ssh.exec(router, "show interfaces terse").stdout();
        assertThat(out).startsWith("Interface               Admin Link Proto    Local");
        assertThat(out).containsPattern("(?m)^ge-0/0/0\\s+up\\s+up$")
                .containsPattern("(?m)^ge-0/0/0\\.0\\s+up\\s+up\\s+inet\\s+172\\.16\\.0\\.4/31$")
                .containsPattern("(?m)^lo0\\.0\\s+up\\s+up\\s+inet\\s+10\\.255\\.0\\.2/32$");
    }

    @Test
    void showSystemUptimeAndChassisHardware() throws Exception {
        assertThat(ssh.exec(router, "show system uptime").stdout())
                .contains("Current time: ").contains("System booted: ").contains("Last configured: ").contains(" up 3 days,  4:");
        assertThat(ssh.exec(router, "show chassis hardware").stdout())
                .startsWith("Hardware inventory:\n")
                .containsPattern("(?m)^Chassis\\s+" + router.serial() + "\\s+" + router.model().toUpperCase());
    }

    @Test
    void showConfigurationRendersCurlyBraceHierarchy() throws Exception {
        String out = ssh.exec(router, "show configuration").stdout();
        assertThat(out).startsWith("## Last commit: ").contains("version " + router.osVersion() + ";\n");
        assertThat(out).contains("system {\n    host-name lab-r0002;\n    domain-name lab.junoscommander.test;\n")
                .contains("interfaces {\n    ge-0/0/0 {\n        description \"uplink to lab-core\";\n        unit 0 {\n"
                        + "            family inet {\n                address 172.16.0.4/31;\n            }\n        }\n    }\n")
                .contains("        area 0.0.0.0 {\n            interface ge-0/0/0.0;\n            interface lo0.0 {\n"
                        + "                passive;\n            }\n        }\n");
    }

    @Test
    void showConfigurationDisplaySetListsSetLines() throws Exception {
        String out = ssh.exec(router, "show configuration | display set").stdout();
        assertThat(out.lines()).contains("set system host-name lab-r0002",
                "set interfaces lo0 unit 0 family inet address 10.255.0.2/32",
                "set protocols ospf area 0.0.0.0 interface lo0.0 passive");
        assertThat(out.lines()).allMatch(line -> line.startsWith("set "));
        assertThat(out.lines().toList()).containsExactlyInAnyOrderElementsOf(router.activeConfiguration());
    }

    @Test
    void showConfigurationOfOneStanzaAndMatchFilter() throws Exception {
        assertThat(ssh.exec(router, "show configuration system").stdout())
                .startsWith("host-name lab-r0002;\n").doesNotContain("interfaces");
        assertThat(ssh.exec(router, "show configuration | display set | match host-name").stdout())
                .isEqualTo("set system host-name lab-r0002\n");
    }

    @Test
    void abbreviatedCommandsWorkLikeJunosCompletion() throws Exception {
        assertThat(ssh.exec(router, "sh ver").stdout()).startsWith("Hostname: lab-r0002\n");
    }

    @Test
    void unknownSecondWordIsASyntaxErrorWithCaretAndExitStatusOne() throws Exception {
        LabSsh.ExecResult result = ssh.exec(router, "show versoin");
        assertThat(result.exitStatus()).isEqualTo(1);
        assertThat(result.stdout()).isEqualTo("show versoin\n     ^\nsyntax error, expecting <command>.\n");
    }

    @Test
    void unknownFirstWordIsAnUnknownCommand() throws Exception {
        LabSsh.ExecResult result = ssh.exec(router, "shwo version");
        assertThat(result.exitStatus()).isEqualTo(1);
        assertThat(result.stdout()).isEqualTo("shwo version\n^\nunknown command.\n");
    }

    @Test
    void unknownPipeIsASyntaxError() throws Exception {
        LabSsh.ExecResult result = ssh.exec(router, "show version | bogus");
        assertThat(result.exitStatus()).isEqualTo(1);
        assertThat(result.stdout()).isEqualTo("show version | bogus\n               ^\nsyntax error, expecting <command>.\n");
    }
}
