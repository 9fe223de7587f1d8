package io.junoscommander.backup.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.backup.redis.RedisNodes.Address;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which node a snapshot comes from, given what a Sentinel reports (SENTINEL REPLICAS fields as Redis 7 names them). */
class SnapshotSourceTest {

    private static final Address MASTER = new Address("10.0.0.1", 6379);
    private static final Address SENTINEL = new Address("10.0.0.9", 26379);

    @Test
    void theHealthyReplicaWithTheMostReplicatedDataIsChosen() {
        SnapshotSource source = SnapshotSource.choose(List.of(replica("10.0.0.2", "slave", "ok", 100), replica("10.0.0.3", "slave", "ok",
                250), replica("10.0.0.4", "s_down,slave,disconnected", "ok", 900)), MASTER, SENTINEL);
        assertThat(source.address()).isEqualTo(new Address("10.0.0.3", 6379));
        assertThat(source.role()).isEqualTo("replica");
        assertThat(source.reason()).contains("healthy replica").contains("10.0.0.9:26379");
    }

    @Test
    void theMasterIsUsedOnlyWhenNoReplicaIsHealthyAndTheReasonSaysWhy() {
        SnapshotSource source = SnapshotSource.choose(List.of(replica("10.0.0.2", "slave", "err", 100), replica("10.0.0.3",
                "s_down,slave", "ok", 100)), MASTER, SENTINEL);
        assertThat(source.address()).isEqualTo(MASTER);
        assertThat(source.role()).isEqualTo("master");
        assertThat(source.reason()).contains("no healthy replica").contains("10.0.0.2:6379 flags=slave link=err")
                .contains("taken from the master");
        assertThat(SnapshotSource.choose(List.of(), MASTER, SENTINEL).reason()).contains("reports no replica");
    }

    @Test
    void sentinelAddressesAreReadInTheFormsOperatorsWriteThem() {
        assertThat(Address.parse("127.0.0.1:26379")).isEqualTo(new Address("127.0.0.1", 26379));
        assertThat(Address.parse(" redis://sentinel-0.redis:26379 ")).isEqualTo(new Address("sentinel-0.redis", 26379));
        assertThat(Address.parse("[::1]:26379").toString()).isEqualTo("[::1]:26379");
    }

    private static Map<String, String> replica(String ip, String flags, String link, long offset) {
        return Map.of("name", ip + ":6379", "ip", ip, "port", "6379", "flags", flags, "master-link-status", link, "slave-repl-offset",
                Long.toString(offset));
    }
}
