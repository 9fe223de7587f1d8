package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.lab.fault.Fault;
import io.junoscommander.lab.fault.FaultKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each fault kind, set at start and at runtime, seen from a real SSH client. */
class FaultTest {

    private static DeviceLab lab;
    private static LabSsh ssh;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(6).fault("lab-r0001", Fault.wrongPassword()).build());
        ssh = new LabSsh();
    }

    @AfterAll
    static void stopLab() {
        ssh.close();
        lab.close();
    }

    @Test
    void wrongPasswordFaultRejectsTheRightPassword() throws Exception {
        LabDevice device = lab.device("lab-r0001");
        assertThat(device.faults()).containsExactly(Fault.wrongPassword());
        assertThatThrownBy(() -> ssh.exec(device, "show version")).isInstanceOf(Exception.class);
        device.clearFault(FaultKind.WRONG_PASSWORD);
        assertThat(ssh.exec(device, "show version").stdout()).startsWith("Hostname: lab-r0001");
    }

    @Test
    void hangAcceptsTheLoginThenNeverAnswers() throws Exception {
        LabDevice device = lab.device("lab-r0002");
        device.setFault(Fault.hang());
        try (ClientSession session = ssh.login(device); ChannelExec channel = session.createExecChannel("show version")) {
            channel.setOut(new java.io.ByteArrayOutputStream());
            channel.open().verify(LabSsh.TIMEOUT);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS),
                    Duration.ofSeconds(2));
            assertThat(events).contains(ClientChannelEvent.TIMEOUT).doesNotContain(ClientChannelEvent.EXIT_STATUS);
        }
        device.clearFaults();
        assertThat(ssh.exec(device, "show version").exitStatus()).isZero();
    }

    @Test
    void disconnectMidOutputSendsHalfThenDropsTheConnection() throws Exception {
        LabDevice device = lab.device("lab-r0003");
        String full = ssh.exec(device, "show configuration | display set").stdout();
        device.setFault(Fault.disconnectMidOutput());
        try (ClientSession session = ssh.login(device)) {
            LabSsh.ExecResult result = LabSsh.exec(session, "show configuration | display set", LabSsh.TIMEOUT);
            assertThat(result.exitStatus()).isNull();
            assertThat(result.stdout()).isNotEmpty().hasSizeLessThan(full.length());
            assertThat(full).startsWith(result.stdout());
            awaitClosed(session);
        }
        device.clearFaults();
    }

    @Test
    void hugeOutputMakesShowConfigurationMegabytesLong() throws Exception {
        LabDevice device = lab.device("lab-r0004");
        device.setFault(Fault.hugeOutput(3));
        LabSsh.ExecResult result = ssh.exec(device, "show configuration");
        assertThat(result.exitStatus()).isZero();
        assertThat(result.stdout().length()).isGreaterThanOrEqualTo(3 * 1024 * 1024);
        assertThat(result.stdout()).contains("host-name lab-r0004;");
        device.clearFaults();
        assertThat(ssh.exec(device, "show configuration").stdout().length()).isLessThan(10_000);
    }

    @Test
    void latencyDelaysEachResponse() throws Exception {
        LabDevice device = lab.device("lab-r0005");
        device.setFault(Fault.latency(700));
        long started = System.nanoTime();
        assertThat(ssh.exec(device, "show version").stdout()).startsWith("Hostname: lab-r0005");
        // A lower bound only: the delay is the fault's, the rest is the machine's.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        device.clearFaults();
    }

    private static void awaitClosed(ClientSession session) throws InterruptedException {
        long deadline = System.nanoTime() + LabSsh.TIMEOUT.toNanos();
        while (session.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(session.isOpen()).as("session closed by the device").isFalse();
    }
}
