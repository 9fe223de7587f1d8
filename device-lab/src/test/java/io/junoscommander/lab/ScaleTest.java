package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two hundred devices in one JVM, all answering at once, and nothing left running after close. */
class ScaleTest {

    @Test
    void twoHundredDevicesAnswerShowVersionConcurrentlyAndCloseLeavesNoThreads() throws Exception {
        int threadsBefore = Thread.activeCount();
        try (LabSsh ssh = new LabSsh()) {
            try (DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(200).build())) {
                assertThat(lab.devices()).hasSize(200);
                assertThat(lab.devices()).extracting(LabDevice::port).doesNotHaveDuplicates();
                ExecutorService clients = Executors.newFixedThreadPool(20);
                try {
                    List<Future<String>> answers = new ArrayList<>();
                    for (LabDevice device : lab.devices()) {
                        answers.add(clients.submit(() -> {
                            String output = ssh.exec(device, "show version").stdout();
                            // The lab counts on the server side, which sees the close a moment after the client; a
                            // client slot is free only once the device agrees, so the maximum below is exact.
                            while (lab.stats().devices().get(device.name()).open() > 0) {
                                Thread.sleep(5);
                            }
                            return output;
                        }));
                    }
                    for (int i = 0; i < answers.size(); i++) {
                        assertThat(answers.get(i).get(60, TimeUnit.SECONDS))
                                .startsWith("Hostname: " + lab.devices().get(i).name() + "\n");
                    }
                } finally {
                    clients.shutdownNow();
                }
                LabStats stats = lab.stats();
                assertThat(stats.totalSessions()).isEqualTo(200);
                assertThat(stats.maxConcurrentSessions()).isBetween(1, 20);
                assertThat(stats.devices().values()).allMatch(counts -> counts.total() == 1);
            }
            awaitNoLabThreads();
        }
        // The NIO2 channel groups' own threads are unnamed ("Thread-N"): with the client closed too, count them all.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.activeCount() > threadsBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Thread.activeCount()).as("threads after close: " + Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName).toList()).isLessThanOrEqualTo(threadsBefore);
    }

    private static void awaitNoLabThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left = labThreads();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = labThreads();
        }
        assertThat(left).as("lab threads alive after close").isEmpty();
    }

    private static List<String> labThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("lab-") || name.startsWith("sshd-SshServer")).toList();
    }
}
