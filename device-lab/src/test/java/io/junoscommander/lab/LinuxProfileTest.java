package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Linux host profile over exec and shell. */
class LinuxProfileTest {

    private static DeviceLab lab;
    private static LabSsh ssh;
    private static LabDevice host;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(0).linuxDevices(1).build());
        ssh = new LabSsh();
        host = lab.device("lab-h0001");
    }

    @AfterAll
    static void stopLab() {
        ssh.close();
        lab.close();
    }

    @Test
    void execAnswersTheBasicCommands() throws Exception {
        assertThat(host.platform()).isEqualTo(Platform.LINUX);
        assertThat(ssh.exec(host, "uname -a").stdout()).startsWith("Linux lab-h0001 ").endsWith(" GNU/Linux\n");
        assertThat(ssh.exec(host, "hostname").stdout()).isEqualTo("lab-h0001\n");
        assertThat(ssh.exec(host, "uptime").stdout()).contains(" up ").contains("load average:");
        assertThat(ssh.exec(host, "cat /etc/os-release").stdout()).contains("ID=debian\n");
        LabSsh.ExecResult echo = ssh.exec(host, "echo hello 'lab world'");
        assertThat(echo.stdout()).isEqualTo("hello lab world\n");
        assertThat(echo.exitStatus()).isZero();
    }

    @Test
    void unknownCommandIsNotFoundOnStderrWith127() throws Exception {
        LabSsh.ExecResult result = ssh.exec(host, "show version");
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).isEqualTo("bash: show: command not found\n");
        assertThat(result.exitStatus()).isEqualTo(127);
    }

    @Test
    void shellHasABashPrompt() throws Exception {
        try (LabSsh.Shell shell = ssh.shell(host)) {
            shell.expect("lab@lab-h0001:~$ ");
            shell.send("hostname");
            assertThat(shell.expect("lab@lab-h0001:~$ ")).isEqualTo("hostname\r\nlab-h0001\r\nlab@lab-h0001:~$ ");
        }
    }
}
