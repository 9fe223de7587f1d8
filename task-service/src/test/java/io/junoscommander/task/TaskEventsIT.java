package io.junoscommander.task;

import static io.junoscommander.task.TaskCluster.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A task's event stream against the real cluster: it survives a {@code kill -9} of the Redis master (the stream resubscribes
 * and catches up from PostgreSQL) and always ends with the task's final state, and an EventSource that reconnects with
 * {@code Last-Event-ID} is sent what it missed.
 */
class TaskEventsIT {

    private final TaskCluster cluster = TaskCluster.get();

    private List<String> labIds(List<LabDevice> devices) {
        return devices.stream().map(d -> cluster.deviceIds.get(d.name())).toList();
    }

    private String submit(String replica, String name, List<LabDevice> devices, int concurrency) {
        return operator(cluster.replica(replica)).contentType("application/json").body(Map.of("name", name, "commands",
                List.of("show version"), "target", Map.of("deviceIds", labIds(devices)), "concurrency", concurrency)).when()
                .post("/api/v1/tasks").then().statusCode(202).header("Location", containsString("/api/v1/tasks/")).extract().path("id");
    }

    private JsonPath task(String id) {
        return operator(cluster.replica("task-a")).when().get("/api/v1/tasks/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Every device event has an id, no device is reported twice, and the ids are the numbers after {@code after}, in order. */
    private static List<String> checkedDevices(List<SseStream.Event> devices, long after) {
        List<String> ids = new ArrayList<>();
        long expected = after + 1;
        for (SseStream.Event device : devices) {
            assertThat(device.seq()).as("device events numbered in order without a gap").isEqualTo(expected++);
            ids.add(device.data().getString("deviceId"));
        }
        assertThat(ids).doesNotHaveDuplicates();
        return ids;
    }

    @Test
    void streamSurvivesAKillOfTheRedisMasterAndEndsWithTheFinalCounts() throws Exception {
        InfraHarness infra = SharedInfra.harness();
        List<LabDevice> slow = cluster.lab.devices().subList(100, 140);
        slow.forEach(device -> device.setFault(Fault.latency(1500)));
        Integer killedPort = null;
        try {
            // 40 devices, 4 at a time, 1.5 s each: about 15 s of work, the failover happens in the middle
            String id = submit("task-a", "events-failover", slow, 4);
            try (SseStream stream = SseStream.open(cluster.replica("task-b"), id, null)) {
                assertThat(stream.status).isEqualTo(200);
                assertThat(stream.awaitEvent(events -> events.stream().filter(e -> "device".equals(e.name())).count() >= 4,
                        Duration.ofSeconds(30))).as("device events before the kill").isTrue();
                int before = stream.events.size();
                long killedAt = System.nanoTime();
                killedPort = infra.killRedisMaster();
                assertThat(stream.awaitEnd(Duration.ofSeconds(120))).as("stream ended").isTrue();
                double seconds = (System.nanoTime() - killedAt) / 1e9;

                SseStream.Event first = stream.events.get(0);
                assertThat(first.name()).isEqualTo("progress");
                SseStream.Event last = stream.last();
                assertThat(last.name()).isEqualTo("final");
                JsonPath task = task(id);
                assertThat(task.getString("state")).isEqualTo("SUCCEEDED");
                assertThat(last.data().getString("state")).isEqualTo("SUCCEEDED");
                assertThat(last.data().getMap("counts")).isEqualTo(task.getMap("counts"));
                assertThat(last.data().getInt("counts.SUCCEEDED")).isEqualTo(40);
                // every device that finished after the stream opened was reported once, live or caught up from the database
                List<String> devices = checkedDevices(stream.named("device"), first.seq());
                assertThat(devices).hasSize(40 - (int) first.seq());
                assertThat(last.seq()).isEqualTo(40);
                // the stream's replica subscribed again to the new master, rather than only polling the database
                assertThat(Files.readString(cluster.log("task-b"))).contains("events of task " + id + ": subscribed again");
                System.out.printf("task events across kill -9 of the Redis master: %d events before the kill, %d after; %d device"
                        + " events, %d progress events, final %.1f s after the kill%n", before, stream.events.size() - before,
                        devices.size(), stream.named("progress").size(), seconds);
            }
        } finally {
            slow.forEach(LabDevice::clearFaults);
            if (killedPort != null) {
                // the old master comes back as a replica, so later tests have the full topology again
                infra.startRedis(killedPort);
                infra.awaitSentinels();
            }
        }
    }

    @Test
    void aReconnectWithLastEventIdIsSentWhatItMissed() throws Exception {
        List<LabDevice> slow = cluster.lab.devices().subList(140, 160);
        slow.forEach(device -> device.setFault(Fault.latency(500)));
        try {
            String id = submit("task-a", "events-resume", slow, 4);
            Set<String> seen = new HashSet<>();
            String lastEventId;
            long firstSeq;
            try (SseStream stream = SseStream.open(cluster.replica("task-b"), id, null)) {
                assertThat(stream.awaitEvent(events -> events.stream().filter(e -> "device".equals(e.name())).count() >= 3,
                        Duration.ofSeconds(30))).isTrue();
                // the connection drops, as when a proxy or a replica goes away
                stream.close();
                List<SseStream.Event> events = List.copyOf(stream.events);
                lastEventId = events.get(events.size() - 1).id();
                firstSeq = events.get(0).seq();
                seen.addAll(checkedDevices(events.stream().filter(e -> "device".equals(e.name())).toList(), events.get(0).seq()));
            }
            // the task goes on meanwhile; the client comes back on the other replica, as an EventSource would
            Thread.sleep(2000);
            try (SseStream resumed = SseStream.open(cluster.replica("task-a"), id, lastEventId)) {
                assertThat(resumed.status).isEqualTo(200);
                assertThat(resumed.awaitEnd(Duration.ofSeconds(60))).isTrue();
                List<String> caughtUp = checkedDevices(resumed.named("device"), Long.parseLong(lastEventId));
                assertThat(caughtUp).isNotEmpty().doesNotContainAnyElementsOf(seen);
                assertThat(resumed.last().name()).isEqualTo("final");
                assertThat(resumed.last().data().getMap("counts")).isEqualTo(task(id).getMap("counts"));
                // nothing lost: what the first connection saw, plus what the second was sent, is every device after the first event
                Set<String> all = new HashSet<>(seen);
                all.addAll(caughtUp);
                assertThat(all).hasSize(20 - (int) firstSeq);
                assertThat(resumed.last().seq()).isEqualTo(20);
                System.out.printf("Last-Event-ID %s: %d device events caught up, %d seen before%n", lastEventId, caughtUp.size(),
                        seen.size());
            }
            // a finished task resumed from its last event: only the final event
            try (SseStream done = SseStream.open(cluster.replica("task-b"), id, "20")) {
                assertThat(done.awaitEnd(Duration.ofSeconds(10))).isTrue();
                assertThat(done.events).extracting(SseStream.Event::name).containsExactly("final");
            }
        } finally {
            slow.forEach(LabDevice::clearFaults);
        }
    }
}
