package io.junoscommander.task;

import static io.junoscommander.task.TaskCluster.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The execution engine through the HTTP API of two real task-service replicas, the device service and the device lab. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskEngineIT {

    private final TaskCluster cluster = TaskCluster.get();

    private List<String> labIds(int from, int to) {
        return cluster.lab.devices().subList(from, to).stream().map(d -> cluster.deviceIds.get(d.name())).toList();
    }

    private String submit(String replica, Map<String, Object> body) {
        return operator(cluster.replica(replica)).contentType("application/json").body(body).when().post("/api/v1/tasks").then()
                .statusCode(202).header("Location", containsString("/api/v1/tasks/")).extract().path("id");
    }

    private JsonPath awaitEnd(String replica, String taskId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonPath task = operator(cluster.replica(replica)).when().get("/api/v1/tasks/" + taskId).then().statusCode(200).extract()
                    .jsonPath();
            if (List.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED").contains(task.getString("state"))) {
                return task;
            }
            assertThat(System.nanoTime()).as("task " + taskId + " still " + task.getString("state")).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The most devices whose [started, finished] intervals overlap, from the stored results. */
    private static int maxOverlap(String taskId) {
        List<Map<String, String>> rows = SharedInfra.harness().queryAsSuperuser("SELECT extract(epoch from started_at) * 1000000 AS s,"
                + " extract(epoch from finished_at) * 1000000 AS f FROM task.task_device WHERE task_id = '" + taskId + "'");
        List<long[]> points = new ArrayList<>();
        for (Map<String, String> row : rows) {
            points.add(new long[] {(long) Double.parseDouble(row.get("s")), 1});
            points.add(new long[] {(long) Double.parseDouble(row.get("f")), -1});
        }
        points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int current = 0;
        int max = 0;
        for (long[] point : points) {
            current += (int) point[1];
            max = Math.max(max, current);
        }
        return max;
    }

    @Test
    @Order(1)
    void twoHundredDevicesWithConcurrencyTwentyNeverExceedTwentyInFlight() throws Exception {
        cluster.lab.resetStats();
        String id = submit("task-a", Map.of("name", "show version on 200", "commands", List.of("show version"), "target",
                Map.of("deviceIds", labIds(0, 200)), "concurrency", 20));
        JsonPath task = awaitEnd("task-a", id, Duration.ofMinutes(3));
        assertThat(task.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(task.getInt("counts.SUCCEEDED")).isEqualTo(200);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int page = 0; page < 2; page++) {
            results.addAll(operator(cluster.replica("task-b")).when().get("/api/v1/tasks/" + id + "/results?size=100&page=" + page)
                    .then().statusCode(200).extract().jsonPath().getList("$"));
        }
        assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r.get("state")).isEqualTo("SUCCEEDED"));
        assertThat(results).extracting(r -> r.get("deviceId")).doesNotHaveDuplicates();
        assertThat(maxOverlap(id)).as("devices in flight at once (stored intervals)").isLessThanOrEqualTo(20);
        System.out.printf("200 devices, concurrency 20: max overlap %d, lab max sessions %d%n", maxOverlap(id),
                cluster.lab.stats().maxConcurrentSessions());
    }

    /** The lab counts a session until it has processed the client's close (a few ms late): at most one closing session extra. */
    @Test
    @Order(2)
    void theLabSeesNoMoreSessionsThanTheConcurrencyPlusOneClosing() throws Exception {
        cluster.lab.resetStats();
        List<LabDevice> slow = cluster.lab.devices().subList(0, 60);
        slow.forEach(device -> device.setFault(Fault.latency(100)));
        try {
            String id = submit("task-b", Map.of("name", "lab-counted", "commands", List.of("show version"), "target",
                    Map.of("deviceIds", labIds(0, 60)), "concurrency", 10));
            assertThat(awaitEnd("task-b", id, Duration.ofMinutes(2)).getString("state")).isEqualTo("SUCCEEDED");
            int seen = cluster.lab.stats().maxConcurrentSessions();
            System.out.printf("60 slow devices, concurrency 10: the lab saw at most %d concurrent SSH sessions%n", seen);
            assertThat(seen).as("concurrent SSH sessions the lab saw").isBetween(2, 11);
        } finally {
            slow.forEach(LabDevice::clearFaults);
        }
    }

    @Test
    @Order(3)
    void killingAReplicaMidTaskLosesNoDeviceAndRecordsEachOnce() throws Exception {
        List<LabDevice> slow = cluster.lab.devices().subList(0, 120);
        slow.forEach(device -> device.setFault(Fault.latency(150)));
        String victim = "task-b";
        try {
            String id = submit("task-a", Map.of("name", "survives a replica", "commands", List.of("show version"), "target",
                    Map.of("deviceIds", labIds(0, 120)), "concurrency", 20));
            // wait until a replica holds work (whichever claimed first), then kill it without warning: the other must finish
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Map<String, String>> holders;
            while ((holders = SharedInfra.harness().queryAsSuperuser("SELECT lease_owner FROM task.task_device WHERE task_id = '" + id
                    + "' AND lease_owner IS NOT NULL LIMIT 1")).isEmpty()) {
                assertThat(System.nanoTime()).as("no replica claimed work").isLessThan(deadline);
                Thread.sleep(20);
            }
            victim = holders.get(0).get("lease_owner");
            String survivor = victim.equals("task-a") ? "task-b" : "task-a";
            cluster.kill(victim);
            JsonPath task = awaitEnd(survivor, id, Duration.ofMinutes(3));
            assertThat(task.getString("state")).isEqualTo("SUCCEEDED");
            List<Map<String, String>> rows = SharedInfra.harness().queryAsSuperuser("SELECT device_id, state, attempts FROM"
                    + " task.task_device WHERE task_id = '" + id + "'");
            assertThat(rows).hasSize(120).allSatisfy(row -> assertThat(row.get("state")).isEqualTo("SUCCEEDED"));
            System.out.printf("kill -9 of a replica mid-task: %d device(s) were attempted twice, every device has one result%n",
                    rows.stream().filter(row -> Integer.parseInt(row.get("attempts")) > 1).count());
        } finally {
            slow.forEach(LabDevice::clearFaults);
            cluster.startReplica(victim);
            cluster.awaitReady(victim);
        }
    }

    @Test
    @Order(4)
    void scheduleFiresExactlyOncePerPeriodWithTwoReplicas() throws Exception {
        String id = operator(cluster.replica("task-a")).contentType("application/json").body(Map.of("name", "every 2 s", "cron",
                "*/2 * * * * ?", "template", Map.of("name", "scheduled uptime", "commands", List.of("show system uptime"), "target",
                        Map.of("deviceIds", labIds(200, 202)))))
                .when().post("/api/v1/schedules").then().statusCode(201).extract().path("id");
        Thread.sleep(9_000);
        operator(cluster.replica("task-b")).contentType("application/json").body(Map.of("name", "every 2 s", "cron", "*/2 * * * * ?",
                "enabled", false, "template", Map.of("name", "scheduled uptime", "commands", List.of("show system uptime"), "target",
                        Map.of("deviceIds", labIds(200, 202))))).when().put("/api/v1/schedules/" + id).then().statusCode(200);
        List<Map<String, Object>> runs = operator(cluster.replica("task-b")).when().get("/api/v1/schedules/" + id + "/runs").then()
                .statusCode(200).extract().jsonPath().getList("$");
        assertThat(runs.size()).isBetween(3, 6);
        List<OffsetDateTime> periods = runs.stream().map(run -> OffsetDateTime.parse((String) run.get("scheduledFor"))).sorted().toList();
        for (int i = 1; i < periods.size(); i++) {
            assertThat(Duration.between(periods.get(i - 1), periods.get(i))).isEqualTo(Duration.ofSeconds(2));
        }
        assertThat(runs).allSatisfy(run -> assertThat(run.get("taskId")).isNotNull());
        int tasks = Integer.parseInt(SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS n FROM task.task WHERE schedule_id = '"
                + id + "'").get(0).get("n"));
        assertThat(tasks).isEqualTo(runs.size());
        System.out.printf("schedule every 2 s with two replicas: %d fires, %d tasks, fired by %s%n", runs.size(), tasks,
                runs.stream().map(run -> run.get("firedBy")).distinct().toList());
    }

    @Test
    @Order(5)
    void eventsStreamEveryDeviceAndTheEndFromTheOtherReplica() throws Exception {
        List<LabDevice> slow = cluster.lab.devices().subList(0, 30);
        slow.forEach(device -> device.setFault(Fault.latency(200)));
        try {
            String id = submit("task-a", Map.of("name", "watched", "commands", List.of("show version"), "target",
                    Map.of("deviceIds", labIds(0, 30)), "concurrency", 5));
            HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.replica("task-b") + "/api/v1/tasks/" + id + "/events"))
                    .header("Authorization", InternalTokens.bearer("it-viewer", "viewer")).header("Accept", "text/event-stream")
                    .timeout(Duration.ofMinutes(2)).build();
            HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> events = new ArrayList<>();
            List<String> devices = new ArrayList<>();
            List<Map<String, Integer>> liveCounts = new ArrayList<>();
            String finalData = null;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith("event:")) {
                        event = line.substring(6).strip();
                        events.add(event);
                    } else if (line.startsWith("data:") && "device".equals(event)) {
                        JsonPath device = new JsonPath(line.substring(5));
                        devices.add(device.getString("deviceId"));
                        // live events carry the counts after their batch was written (caught-up ones carry none)
                        Map<String, Integer> counts = device.getMap("counts", String.class, Integer.class);
                        if (counts != null) {
                            liveCounts.add(counts);
                        }
                    } else if (line.startsWith("data:") && "final".equals(event)) {
                        finalData = line.substring(5);
                    }
                }
            }
            assertThat(events.get(0)).isEqualTo("progress");
            assertThat(events.get(events.size() - 1)).isEqualTo("final");
            // connected right after submission: every device finished after the stream started
            assertThat(devices).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(25);
            assertThat(new JsonPath(finalData).getString("state")).isEqualTo("SUCCEEDED");
            assertThat(new JsonPath(finalData).getInt("counts.SUCCEEDED")).isEqualTo(30);
            assertThat(new JsonPath(finalData).getInt("counts.PENDING") + new JsonPath(finalData).getInt("counts.RUNNING")).isZero();
            // every device event's counts add up to the task's devices, at most 5 running, succeeded never going back
            assertThat(liveCounts).isNotEmpty().allSatisfy(counts -> {
                assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
                assertThat(counts.get("RUNNING")).isBetween(0, 5);
            });
            for (int i = 1; i < liveCounts.size(); i++) {
                assertThat(liveCounts.get(i).get("SUCCEEDED")).isGreaterThanOrEqualTo(liveCounts.get(i - 1).get("SUCCEEDED"));
            }
        } finally {
            slow.forEach(LabDevice::clearFaults);
        }
    }

    @Test
    @Order(6)
    void cancelStopsDevicesNotStarted() throws Exception {
        List<LabDevice> slow = cluster.lab.devices().subList(0, 60);
        slow.forEach(device -> device.setFault(Fault.latency(300)));
        try {
            String id = submit("task-a", Map.of("name", "to cancel", "commands", List.of("show version"), "target",
                    Map.of("deviceIds", labIds(0, 60)), "concurrency", 2));
            Thread.sleep(1000);
            operator(cluster.replica("task-b")).when().post("/api/v1/tasks/" + id + "/cancel").then().statusCode(200);
            JsonPath task = awaitEnd("task-a", id, Duration.ofMinutes(1));
            assertThat(task.getString("state")).isEqualTo("CANCELLED");
            assertThat(task.getInt("counts.CANCELLED")).isGreaterThan(40);
            assertThat(task.getInt("counts.PENDING") + task.getInt("counts.RUNNING")).isZero();
            operator(cluster.replica("task-a")).when().post("/api/v1/tasks/" + id + "/cancel").then().statusCode(409);
        } finally {
            slow.forEach(LabDevice::clearFaults);
        }
    }

    @Test
    @Order(7)
    void failureThresholdEndsTheTaskFailed() throws Exception {
        List<LabDevice> broken = cluster.lab.devices().subList(202, 212);
        broken.forEach(device -> device.setFault(Fault.wrongPassword()));
        try {
            List<String> ids = new ArrayList<>(labIds(202, 212));
            ids.addAll(labIds(100, 150));
            String id = submit("task-a", Map.of("name", "threshold", "commands", List.of("show version"), "target",
                    Map.of("deviceIds", ids), "concurrency", 2, "failureThresholdPercent", 5));
            JsonPath task = awaitEnd("task-a", id, Duration.ofMinutes(2));
            assertThat(task.getString("state")).isEqualTo("FAILED");
            assertThat(task.getInt("counts.CANCELLED")).isGreaterThan(0);
            assertThat(task.getInt("counts.FAILED")).isGreaterThan(3);
        } finally {
            broken.forEach(LabDevice::clearFaults);
        }
    }

    @Test
    @Order(8)
    void perDeviceTimeoutWrongPasswordAndUnreachableAreRecordedPerDevice() throws Exception {
        LabDevice hanging = cluster.lab.devices().get(212);
        LabDevice locked = cluster.lab.devices().get(213);
        hanging.setFault(Fault.hang());
        locked.setFault(Fault.wrongPassword());
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        String credential = TaskCluster.admin(cluster.deviceService).when().get("/api/v1/credentials").then().extract()
                .path("find { it.name == 'lab' }.id");
        String gone = TaskCluster.admin(cluster.deviceService).contentType("application/json").body(Map.of("name", "gone-"
                + UUID.randomUUID(), "host", "127.0.0.1", "port", closedPort, "platform", "junos", "credentialId", credential)).when()
                .post("/api/v1/devices").then().statusCode(201).extract().path("id");
        try {
            List<String> ids = new ArrayList<>(List.of(cluster.deviceIds.get(hanging.name()), cluster.deviceIds.get(locked.name()),
                    gone));
            ids.add(cluster.deviceIds.get(cluster.lab.devices().get(214).name()));
            String id = submit("task-b", Map.of("name", "faults", "commands", List.of("show version"), "target", Map.of("deviceIds", ids),
                    "perDeviceTimeoutSeconds", 2));
            JsonPath task = awaitEnd("task-b", id, Duration.ofMinutes(1));
            assertThat(task.getString("state")).isEqualTo("PARTIAL");
            JsonPath results = operator(cluster.replica("task-a")).when().get("/api/v1/tasks/" + id + "/results").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(results.getString("find { it.deviceName == '" + hanging.name() + "' }.errorKind")).isEqualTo("timeout");
            assertThat(results.getString("find { it.deviceName == '" + locked.name() + "' }.errorKind")).isEqualTo("auth_failed");
            assertThat(results.getString("find { it.deviceId == '" + gone + "' }.errorKind")).isEqualTo("unreachable");
            assertThat(results.getString("find { it.deviceName == '" + cluster.lab.devices().get(214).name() + "' }.state"))
                    .isEqualTo("SUCCEEDED");
        } finally {
            hanging.clearFaults();
            locked.clearFaults();
        }
    }

    @Test
    @Order(9)
    void badInputIsRefusedAndNothingIsStored() {
        String before = SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS n FROM task.task").get(0).get("n");
        String a = cluster.replica("task-a");
        operator(a).contentType("application/json").body(Map.of("name", "x", "commands", List.of(), "target", Map.of("all", true))).when()
                .post("/api/v1/tasks").then().statusCode(400).contentType("application/problem+json");
        operator(a).contentType("application/json").body(Map.of("name", "x", "commands", List.of("show version"), "target", Map.of()))
                .when().post("/api/v1/tasks").then().statusCode(400).body("errors[0].field", equalTo("target"));
        operator(a).contentType("application/json").body(Map.of("name", "x", "commands", List.of("show version"), "target",
                Map.of("all", true), "concurrency", 0)).when().post("/api/v1/tasks").then().statusCode(400)
                .body("errors[0].field", equalTo("concurrency"));
        operator(a).contentType("application/json").body(Map.of("name", "x", "commands", List.of("show version"), "target",
                Map.of("deviceIds", List.of(UUID.randomUUID().toString())))).when().post("/api/v1/tasks").then().statusCode(400)
                .body("errors[0].field", equalTo("target.deviceIds"));
        operator(a).contentType("application/json").body(Map.of("name", "x", "cron", "every tuesday", "template", Map.of("name", "t",
                "commands", List.of("show version"), "target", Map.of("all", true)))).when().post("/api/v1/schedules").then()
                .statusCode(400).body("errors[0].field", equalTo("cron"));
        for (String command : List.of("\t", "  ", "\u0003")) {
            operator(a).contentType("application/json").body(Map.of("name", "x", "commands", List.of(command), "target",
                    Map.of("all", true))).when().post("/api/v1/tasks").then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("commands[0]"));
        }
        operator(a).contentType("application/json").body(Map.of("name", "x\u0000", "commands", List.of("show version"), "target",
                Map.of("all", true))).when().post("/api/v1/tasks").then().statusCode(400).body("errors[0].field", equalTo("name"));
        operator(a).contentType("application/json").body(Map.of("name", "x", "cron", "0 * * * *", "timezone", "UTC\u0000",
                "template", Map.of("name", "t", "commands", List.of("show version"), "target", Map.of("all", true)))).when()
                .post("/api/v1/schedules").then().statusCode(400).body("errors[0].field", equalTo("timezone"));
        operator(a).urlEncodingEnabled(false).when().get("/api/v1/tasks?createdBy=a%00").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("createdBy"));
        // the event stream of an unknown task answers like the task's other paths, before any stream opens
        operator(a).when().get("/api/v1/tasks/" + UUID.randomUUID() + "/events").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:not-found"));
        io.restassured.RestAssured.given().baseUri(a).header("Authorization", InternalTokens.bearer("v", "viewer"))
                .contentType("application/json").body(Map.of("name", "x", "commands", List.of("show version"), "target",
                        Map.of("all", true))).when().post("/api/v1/tasks").then().statusCode(403);
        assertThat(SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS n FROM task.task").get(0).get("n")).isEqualTo(before);
    }

    @Test
    @Order(10)
    void twoConfigChangingTasksNeverDriveTheSameDeviceAtOnce() throws Exception {
        List<LabDevice> shared = cluster.lab.devices().subList(150, 160);
        shared.forEach(device -> device.setFault(Fault.latency(150)));
        try {
            Map<String, Object> body = Map.of("name", "change", "commands", List.of("show version"), "configChanging", true, "target",
                    Map.of("deviceIds", labIds(150, 160)), "concurrency", 10);
            String first = submit("task-a", body);
            String second = submit("task-b", body);
            assertThat(awaitEnd("task-a", first, Duration.ofMinutes(1)).getString("state")).isEqualTo("SUCCEEDED");
            assertThat(awaitEnd("task-a", second, Duration.ofMinutes(1)).getString("state")).isEqualTo("SUCCEEDED");
            List<Map<String, String>> overlapping = SharedInfra.harness().queryAsSuperuser("SELECT a.device_id FROM task.task_device a"
                    + " JOIN task.task_device b ON a.device_id = b.device_id WHERE a.task_id = '" + first + "' AND b.task_id = '" + second
                    + "' AND a.started_at < b.finished_at AND b.started_at < a.finished_at");
            assertThat(overlapping).as("devices driven by both tasks at the same time").isEmpty();
        } finally {
            shared.forEach(LabDevice::clearFaults);
        }
    }

    @Test
    @Order(11)
    void engineMetricsAreExported() {
        // either replica may have done a given piece of work (a replica killed earlier restarted with fresh counters)
        String metrics = java.util.stream.Stream.of("task-a", "task-b").map(replica -> io.restassured.RestAssured.given()
                .baseUri(cluster.management(replica)).when().get("/metrics").then().statusCode(200).extract().asString())
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(metrics).containsPattern("(?m)^task_device_results_total\\{[^}]*outcome=\"succeeded\"")
                .containsPattern("(?m)^task_device_duration_seconds_bucket\\{").containsPattern("(?m)^task_queue_depth ")
                .containsPattern("(?m)^task_tasks\\{[^}]*state=\"SUCCEEDED\"").containsPattern("(?m)^task_devices_in_flight ")
                .containsPattern("(?m)^task_schedule_fires_total\\{");
    }
}
