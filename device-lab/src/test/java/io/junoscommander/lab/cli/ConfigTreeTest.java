package io.junoscommander.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** The configuration model without SSH: statement grouping, rendering, compare, single-valued replacement. */
class ConfigTreeTest {

    @Test
    void groupsKeywordsWithTheirValuesAndKeepsQuotedStrings() {
        assertThat(ConfigTree.statements(ConfigTree.tokenize("interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/30")))
                .containsExactly("interfaces", "ge-0/0/0", "unit 0", "family inet", "address 10.0.0.1/30");
        assertThat(ConfigTree.tokenize("interfaces ge-0/0/0 description \"to core 1\""))
                .containsExactly("interfaces", "ge-0/0/0", "description", "\"to core 1\"");
        assertThatThrownBy(() -> ConfigTree.tokenize("system location \"open")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rendersBracesSetLinesAndCompare() {
        ConfigTree before = ConfigTree.of(List.of("system host-name r1", "system services ssh"));
        ConfigTree after = ConfigTree.of(List.of("system host-name r2", "system services ssh", "snmp community public"));
        assertThat(before.renderBraces(List.of())).isEqualTo("system {\n    host-name r1;\n    services {\n        ssh;\n    }\n}\n");
        assertThat(after.renderSetLines(List.of()))
                .isEqualTo("set system host-name r2\nset system services ssh\nset snmp community public\n");
        assertThat(ConfigTree.compare(before, after))
                .isEqualTo("[edit]\n+   snmp {\n+       community public;\n+   }\n[edit system]\n-   host-name r1;\n+   host-name r2;\n");
        assertThat(ConfigTree.compare(after, after)).isEmpty();
    }

    @Test
    void settingASingleValuedStatementReplacesTheOldValue() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            ConfigStore store = new ConfigStore(List.of("system host-name r1", "snmp community public"), scheduler, 60_000);
            store.set(List.of("system", "host-name", "r2"));
            store.set(List.of("snmp", "community", "private"));
            assertThat(store.candidatePaths()).containsExactly("snmp community public", "system host-name r2", "snmp community private");
            assertThat(store.commit("lab").ok()).isTrue();
            assertThat(store.activeValue("system host-name")).contains("r2");
            assertThat(store.rollback(1)).isTrue();
            assertThat(store.candidatePaths()).containsExactly("system host-name r1", "snmp community public");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
