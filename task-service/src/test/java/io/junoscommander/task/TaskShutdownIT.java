package io.junoscommander.task;

import static io.junoscommander.task.TaskCluster.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.GracefulShutdown;
import io.junoscommander.infra.testing.GracefulShutdown.Probe;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown of a task-service replica, as Kubernetes does it (SIGTERM), with the production shape of a shutdown
 * delay and timeout: readiness turns DOWN at once, the devices it runs finish and are recorded once, its open event stream
 * is closed with the task's current state, new requests are answered or refused cleanly (never a 5xx other than a 503
 * problem), and the process is gone within the delay plus the timeout. The task ends on the other replica.
 */
class TaskShutdownIT {

    private static final Duration DELAY = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final List<String> REPLICAS = List.of("task-a", "task-b");
    /** Longer than the delay: the devices running at SIGTERM finish after it, while the replica waits for them. */
    private static final long DEVICE_LATENCY_MS = 6000;

    private final TaskCluster cluster = TaskCluster.get();

    @Test
    void sigtermFinishesRunningDevicesClosesTheStreamAndExitsInTime() throws Exception {
        // both replicas with the production shape (the cluster runs without a delay): whichever claims first is stopped
        for (String name : REPLICAS) {
            cluster.process(name).stop();
            cluster.startReplica(name, Map.of("SHUTDOWN_DELAY", DELAY.toSeconds() + "s", "SHUTDOWN_TIMEOUT", TIMEOUT.toSeconds() + "s"));
        }
        REPLICAS.forEach(cluster::awaitReady);
        List<LabDevice> slow = cluster.lab.devices().subList(160, 190);
        slow.forEach(device -> device.setFault(Fault.latency(DEVICE_LATENCY_MS)));
        try {
            List<String> deviceIds = slow.stream().map(d -> cluster.deviceIds.get(d.name())).toList();
            String id = operator(cluster.replica("task-a")).contentType("application/json").body(Map.of("name", "outlives a replica",
                    "commands", List.of("show version"), "target", Map.of("deviceIds", deviceIds), "concurrency", 10)).when()
                    .post("/api/v1/tasks").then().statusCode(202).extract().path("id");
            // the replica that claimed (the first claim takes up to the task's concurrency) is the one stopped
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Map<String, String>> holders;
            while ((holders = SharedInfra.harness().queryAsSuperuser("SELECT lease_owner, count(*) AS held FROM task.task_device"
                    + " WHERE task_id = '" + id + "' AND state = 'RUNNING' AND lease_owner IS NOT NULL GROUP BY lease_owner"
                    + " ORDER BY held DESC")).isEmpty()) {
                assertThat(System.nanoTime()).as("no replica claimed work").isLessThan(deadline);
                Thread.sleep(20);
            }
            String victim = holders.get(0).get("lease_owner");
            String survivor = victim.equals("task-a") ? "task-b" : "task-a";
            int heldAtSigterm = Integer.parseInt(holders.get(0).get("held"));
            String base = cluster.replica(victim);
            try (SseStream stream = SseStream.open(base, id, null)) {
                assertThat(stream.awaitEvent(events -> !events.isEmpty(), Duration.ofSeconds(10))).isTrue();

                GracefulShutdown shutdown = GracefulShutdown.sigterm(cluster.process(victim));
                long readinessDownMs = shutdown.awaitReadinessDown(Duration.ofSeconds(5));
                List<Probe> probes = shutdown.probeUntilExit(() -> HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks/" + id))
                        .timeout(Duration.ofSeconds(5)).header("Authorization", InternalTokens.bearer("it-viewer", "viewer")).build());
                long exitMs = shutdown.awaitExit(DELAY.plus(TIMEOUT).plusSeconds(10));

                assertThat(readinessDownMs).as("readiness DOWN soon after SIGTERM").isBetween(0L, 1000L);
                assertThat(stream.awaitEnd(Duration.ofSeconds(5))).as("event stream closed by the shutdown").isTrue();
                assertThat(stream.last().name()).isIn("progress", "final");
                // the JVM's own exit after the shutdown's last step gets a second
                assertThat(exitMs).as("exit after SIGTERM").isBetween(0L, DELAY.plus(TIMEOUT).toMillis() + 1000);
                assertThat(probes).as("answers while shutting down").allMatch(Probe::answeredOrRefusedCleanly);
                assertThat(probes).as("refused once the delay is over").anyMatch(probe -> probe.status() != 200);

                JsonPath task = awaitEnd(survivor, id);
                assertThat(task.getString("state")).isEqualTo("SUCCEEDED");
                List<Map<String, String>> rows = SharedInfra.harness().queryAsSuperuser("SELECT state, attempts FROM task.task_device"
                        + " WHERE task_id = '" + id + "'");
                assertThat(rows).hasSize(30).allSatisfy(row -> assertThat(row.get("state")).isEqualTo("SUCCEEDED"));
                // what the stopped replica ran, it finished and recorded: no device was run a second time
                assertThat(rows).allSatisfy(row -> assertThat(row.get("attempts")).isEqualTo("1"));
                System.out.printf("SIGTERM of task replica %s running %d device(s): readiness DOWN after %d ms, stream closed with %s,"
                        + " exit after %d ms (delay %d s + timeout %d s), API answers while stopping %s%n", victim, heldAtSigterm,
                        readinessDownMs, stream.last().name(), exitMs, DELAY.toSeconds(), TIMEOUT.toSeconds(),
                        probes.stream().map(Probe::status).distinct().toList());
            }
        } finally {
            slow.forEach(LabDevice::clearFaults);
            // the cluster as the other tests know it: both replicas, without a shutdown delay
            for (String name : REPLICAS) {
                cluster.process(name).stop();
                cluster.startReplica(name);
            }
            REPLICAS.forEach(cluster::awaitReady);
        }
    }

    private JsonPath awaitEnd(String replica, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JsonPath task = operator(cluster.replica(replica)).when().get("/api/v1/tasks/" + id).then().statusCode(200).extract()
                    .jsonPath();
            if (List.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED").contains(task.getString("state"))) {
                return task;
            }
            assertThat(System.nanoTime()).as("task " + id + " still " + task.getString("state")).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

}
