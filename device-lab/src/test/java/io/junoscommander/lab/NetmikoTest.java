package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Realism check with a client nobody here wrote: Debian's netmiko (juniper_junos and linux drivers). */
class NetmikoTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static DeviceLab lab;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(1).linuxDevices(1).build());
    }

    @AfterAll
    static void stopLab() {
        lab.close();
    }

    @Test
    void junosDriverRunsShowVersionAndDisplaySet(@TempDir Path dir) throws Exception {
        requireNetmiko();
        LabDevice router = lab.device("lab-r0001");
        String output = runPython(dir, String.join("\n",
                "from netmiko import ConnectHandler",
                "conn = ConnectHandler(device_type='juniper_junos', host='" + router.host() + "', port=" + router.port() + ",",
                "                      username='" + router.username() + "', password='" + router.password() + "',",
                "                      timeout=20, allow_agent=False, use_keys=False)",
                "print('PROMPT=' + conn.find_prompt())",
                "print('VERSION-BEGIN')",
                "print(conn.send_command('show version'))",
                "print('VERSION-END')",
                "print('SET-BEGIN')",
                "print(conn.send_command('show configuration | display set'))",
                "print('SET-END')",
                "conn.disconnect()",
                ""));
        assertThat(output).contains("PROMPT=lab@lab-r0001>");
        String version = between(output, "VERSION-BEGIN\n", "VERSION-END");
        assertThat(version).contains("Hostname: lab-r0001\n").contains("Model: " + router.model() + "\n")
                .doesNotContain("show version").doesNotContain("lab@lab-r0001>");
        String setLines = between(output, "SET-BEGIN\n", "SET-END");
        assertThat(setLines.lines()).contains("set system host-name lab-r0001",
                "set interfaces lo0 unit 0 family inet address 10.255.0.1/32");
        assertThat(setLines).doesNotContain("---(more)---");
    }

    @Test
    void linuxDriverRunsUname(@TempDir Path dir) throws Exception {
        requireNetmiko();
        LabDevice host = lab.device("lab-h0001");
        String output = runPython(dir, String.join("\n",
                "from netmiko import ConnectHandler",
                "conn = ConnectHandler(device_type='linux', host='" + host.host() + "', port=" + host.port() + ",",
                "                      username='" + host.username() + "', password='" + host.password() + "',",
                "                      timeout=20, allow_agent=False, use_keys=False)",
                "print('UNAME=' + conn.send_command('uname -a'))",
                "conn.disconnect()",
                ""));
        assertThat(output).contains("UNAME=Linux lab-h0001 ");
    }

    private static void requireNetmiko() throws Exception {
        Process check = new ProcessBuilder(PYTHON, "-c", "import netmiko").redirectErrorStream(true).start();
        boolean done = check.waitFor(60, TimeUnit.SECONDS);
        if (!done || check.exitValue() != 0) {
            check.destroyForcibly();
            fail(PYTHON + " cannot import netmiko; run: apt-get install python3-netmiko");
        }
    }

    private static String runPython(Path dir, String script) throws IOException, InterruptedException {
        Path file = dir.resolve("netmiko_check.py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        Path log = dir.resolve("netmiko_check.log");
        Process process = new ProcessBuilder(List.of(PYTHON, file.toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("netmiko script timed out; output: " + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8).replace("\r\n", "\n");
        assertThat(process.exitValue()).as("netmiko script exit status; output:\n" + output).isZero();
        return output;
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        int to = text.indexOf(end, Math.max(from, 0));
        assertThat(from).as("'" + start.trim() + "' in output:\n" + text).isGreaterThanOrEqualTo(0);
        assertThat(to).as("'" + end + "' in output:\n" + text).isGreaterThan(from);
        return text.substring(from + start.length(), to);
    }
}
