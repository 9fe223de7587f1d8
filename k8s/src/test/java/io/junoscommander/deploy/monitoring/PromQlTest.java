package io.junoscommander.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer behind the dashboard test finds metrics, matchers and grouping labels, and nothing else. */
class PromQlTest {

    @Test
    void findsMetricsMatchersAndGroupingLabelsButNotFunctionsKeywordsOrDurations() {
        PromQl.Names names = PromQl.parse("histogram_quantile(0.99, sum by (job, le) (rate(http_server_requests_seconds_bucket"
                + "{job=~\"$job\", uri!~\".*/events\"}[$__rate_interval]))) > 2 and on (job) up == bool 1 offset 5m");
        assertThat(names.selectors()).extracting(PromQl.Selector::metric).containsExactly("http_server_requests_seconds_bucket", "up");
        assertThat(names.selectors().get(0).matchers()).extracting(PromQl.LabelMatcher::label).containsExactly("job", "uri");
        assertThat(names.selectors().get(0).matchers().get(0).literal()).isFalse();
        assertThat(names.selectors().get(0).matchers().get(1).literal()).isTrue();
        assertThat(names.groupingLabels()).containsExactly("job", "le");
    }

    @Test
    void readsAggregationsWithTheGroupingAfterAndBareSelectors() {
        PromQl.Names names = PromQl.parse("sum(rate(ssh_errors_total{kind=\"unreachable\"}[10m])) without (instance) / ignoring(kind) "
                + "group_left(platform) count({__name__=\"x\"}) + time() - max_over_time(task_queue_depth[1h:1m])");
        assertThat(names.selectors()).extracting(PromQl.Selector::metric).containsExactly("ssh_errors_total", null, "task_queue_depth");
        assertThat(names.selectors().get(0).matchers()).containsExactly(new PromQl.LabelMatcher("kind", "=", "unreachable"));
        assertThat(names.groupingLabels()).containsExactlyInAnyOrder("instance", "kind", "platform");
    }

    @Test
    void refusesWhatIsNotPromQl() {
        for (String broken : List.of("up ; down", "sum(x) ? 1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PromQl.parse(broken)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
