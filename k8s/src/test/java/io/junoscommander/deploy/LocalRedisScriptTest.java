package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The local overlay's Redis and Sentinel from their rendered start scripts, with the Debian binaries the image holds, as
 * the pods redis-0 and redis-sentinel-0 (their host names, ports and Service names), in a private network and mount
 * namespace ({@code unshare}): the first server starts as master with its password required, the Sentinel finds it
 * under its announced name and requires the password too.
 */
class LocalRedisScriptTest {

    @Test
    void theFirstServerStartsAsMasterAndTheSentinelMonitorsItByNameBothBehindThePassword() throws Exception {
        try (PodScripts pods = PodScripts.of("redis-and-sentinel.sh", "redis")) {
            String output = pods.run("Redis and Sentinel start scripts");

            assertThat(output).as(() -> output + pods.log("redis.log") + pods.log("sentinel.log"))
                    .contains("check role: master")
                    .contains("check without password: NOAUTH")
                    .contains("check sentinel without password: NOAUTH")
                    .contains("check master: redis-0.redis 6379")
                    .contains("check master flags: master\n")
                    .contains("check append only file: appendonlydir");
        }
    }
}
